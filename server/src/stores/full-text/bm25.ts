/**
 * Full-text ranking, shared by the in-memory index (lexical-index.ts) and the SQL query that
 * serves while that index is being built (sql-search.ts), so both rank alike.
 */

/** BM25's usual term-frequency saturation and length normalisation. */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;
/** A query word in a passage's heading path (or chapter title) counts this many times a body word. */
export const HEADING_WEIGHT = 3;
/** Query terms in the emphasised part (a follow-up's own words, beside the topic it borrows) weigh this much more. */
export const EMPHASIS_WEIGHT = 2;
/** A term in more than this share of all chunks is too common to find candidates by... */
export const CANDIDATE_TERM_SHARE = 0.1;
/** ...unless the course is so small that this many chunks is still a useful match. */
export const CANDIDATE_TERM_FLOOR = 20;
/** When every term of a query is common, its this-many rarest terms still find candidates. */
export const RAREST_TERMS_WHEN_ALL_COMMON = 2;

/** BM25's inverse document frequency (never negative): a term in `chunksWithTerm` of `chunks` chunks. */
export function inverseDocumentFrequency(chunks: number, chunksWithTerm: number): number {
  return Math.log(1 + (chunks - chunksWithTerm + 0.5) / (chunksWithTerm + 0.5));
}

/** Whether a term is rare enough to find candidates by (see CANDIDATE_TERM_SHARE). */
export function isSelectiveTerm(chunks: number, chunksWithTerm: number): boolean {
  return chunksWithTerm > 0 && chunksWithTerm <= Math.max(chunks * CANDIDATE_TERM_SHARE, CANDIDATE_TERM_FLOOR);
}

/**
 * One term's BM25 weight in one passage, before its IDF: `frequency` (heading words counted
 * HEADING_WEIGHT times) saturates, and a passage longer than average (in distinct terms) weighs less.
 */
export function termWeight(frequency: number, length: number, averageLength: number): number {
  return (frequency * (BM25_K1 + 1)) / (frequency + BM25_K1 * (1 - BM25_B + (BM25_B * length) / Math.max(averageLength, 1)));
}
