import type { ScoredId } from '../vector-store.js';
import { EMPHASIS_WEIGHT, RAREST_TERMS_WHEN_ALL_COMMON, inverseDocumentFrequency, isSelectiveTerm, termWeight } from './bm25.js';
import type { LexemeFrequency } from './tsvector-text.js';

/** The chunks containing one lexeme (ordinals into the index's chunk list) and how often each does. */
interface Postings {
  chunks: Int32Array;
  frequencies: Float32Array;
}

/** A passage found by full-text search. */
export interface TextMatch extends ScoredId {
  /** Share (0–1) of the query's IDF weight found in the passage. */
  coverage: number;
}

/** A query's lexemes, as PostgreSQL's English configuration stems them; `emphasised` ones weigh more. */
export interface QueryTerms {
  lexemes: readonly string[];
  emphasised: ReadonlySet<string>;
}

/**
 * An inverted index of the course's passages held in memory, ranking by BM25 exactly as
 * sql-search.ts does (same terms, weights and candidate rule, see bm25.ts) but without asking the
 * database to read thousands of passages per question: on 20,000 chunks that took PostgreSQL
 * 13–20 ms a query and PGlite about 50, where summing the postings here takes a fraction of a
 * millisecond. It holds 8 bytes per (passage, distinct term): about 12 MiB at 20,000 chunks of
 * the third-party corpora, well under 1 MiB for a course of a few hundred passages.
 */
export class LexicalIndex {
  private constructor(
    private readonly ids: readonly string[],
    private readonly lengths: Float32Array,
    private readonly averageLength: number,
    private readonly postings: ReadonlyMap<string, Postings>,
  ) {}

  /** Collects passages one at a time (so a large site is never held twice), then `build()`s the index. */
  static builder(): { add(id: string, lexemes: readonly LexemeFrequency[]): void; build(): LexicalIndex } {
    const ids: string[] = [];
    const lengths: number[] = [];
    const building = new Map<string, { chunks: number[]; frequencies: number[] }>();
    return {
      add(id, lexemes) {
        const ordinal = ids.push(id) - 1;
        // A passage's length is its count of distinct terms, as PostgreSQL's length(tsvector) counts.
        lengths.push(lexemes.length);
        for (const { lexeme, frequency } of lexemes) {
          let list = building.get(lexeme);
          if (!list) building.set(lexeme, (list = { chunks: [], frequencies: [] }));
          list.chunks.push(ordinal);
          list.frequencies.push(frequency);
        }
      },
      build() {
        const postings = new Map<string, Postings>();
        for (const [lexeme, list] of building) postings.set(lexeme, { chunks: Int32Array.from(list.chunks), frequencies: Float32Array.from(list.frequencies) });
        const averageLength = ids.length === 0 ? 1 : lengths.reduce((sum, length) => sum + length, 0) / ids.length;
        return new LexicalIndex(ids, Float32Array.from(lengths), averageLength, postings);
      },
    };
  }

  get size(): number {
    return this.ids.length;
  }

  /**
   * The `limit` best passages by BM25. Candidates are the passages holding a selective term (or,
   * when every term is common, one of the rarest); every query term then adds to their score.
   * `coverage` is the share of the query's IDF weight a passage holds.
   */
  search(query: QueryTerms, limit: number): TextMatch[] {
    const chunkCount = this.ids.length;
    const terms = [...new Set(query.lexemes)].map((lexeme) => {
      const postings = this.postings.get(lexeme);
      const chunksWithTerm = postings?.chunks.length ?? 0;
      const idf = inverseDocumentFrequency(chunkCount, chunksWithTerm) * (query.emphasised.has(lexeme) ? EMPHASIS_WEIGHT : 1);
      return { lexeme, postings, chunksWithTerm, idf, selective: isSelectiveTerm(chunkCount, chunksWithTerm) };
    });
    const totalIdf = terms.reduce((sum, term) => sum + term.idf, 0);
    const found = terms.filter((term) => term.chunksWithTerm > 0);
    let finders = found.filter((term) => term.selective);
    if (finders.length === 0) {
      finders = [...found].sort((a, b) => a.chunksWithTerm - b.chunksWithTerm || compareCodeUnits(a.lexeme, b.lexeme)).slice(0, RAREST_TERMS_WHEN_ALL_COMMON);
    }
    const isCandidate = new Uint8Array(chunkCount);
    const candidates: number[] = [];
    for (const term of finders) {
      for (const ordinal of term.postings?.chunks ?? []) {
        if (isCandidate[ordinal] === 0) candidates.push(ordinal);
        isCandidate[ordinal] = 1;
      }
    }
    const scores = new Float64Array(chunkCount);
    const matchedIdf = new Float64Array(chunkCount);
    for (const term of found) {
      const { chunks, frequencies } = term.postings as Postings;
      for (let index = 0; index < chunks.length; index += 1) {
        const ordinal = chunks[index] as number;
        if (isCandidate[ordinal] === 0) continue;
        scores[ordinal] = (scores[ordinal] as number) + term.idf * termWeight(frequencies[index] as number, this.lengths[ordinal] as number, this.averageLength);
        matchedIdf[ordinal] = (matchedIdf[ordinal] as number) + term.idf;
      }
    }
    const byScore = (a: number, b: number) => (scores[b] as number) - (scores[a] as number) || compareCodeUnits(this.ids[a] as string, this.ids[b] as string);
    return bestOf(candidates, limit, byScore).map((ordinal) => ({ id: this.ids[ordinal] as string, score: scores[ordinal] as number, coverage: (matchedIdf[ordinal] as number) / Math.max(totalIdf, 1e-9) }));
  }
}

/**
 * The `limit` first items by `order`, in that order, without sorting them all: a common query
 * term makes thousands of candidates on a large site, and the event loop that sorts them is the
 * one waiting to send the dense search.
 */
function bestOf(items: readonly number[], limit: number, order: (a: number, b: number) => number): number[] {
  const best: number[] = [];
  if (limit <= 0) return best;
  for (const item of items) {
    if (best.length === limit && order(item, best[limit - 1] as number) >= 0) continue;
    let at = best.length === limit ? limit - 1 : best.length;
    while (at > 0 && order(item, best[at - 1] as number) < 0) {
      best[at] = best[at - 1] as number;
      at -= 1;
    }
    best[at] = item;
    best.length = Math.min(best.length, limit);
  }
  return best;
}

/** Plain code-unit order: for uuids, the order PostgreSQL's `order by id` gives (their hexadecimal text sorts alike). */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
