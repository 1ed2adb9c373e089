import { docsVersionOf } from '@docent/ingest';
import type { FastifyBaseLogger } from 'fastify';
import type { KnowledgeBase } from '../../knowledge/knowledge-base.js';
import type { CatalogChunk } from '../../stores/chunk-catalog.js';
import type { ScoredId } from '../../stores/vector-store.js';

/**
 * Reciprocal Rank Fusion's constant, lower than the usual 60 so a top rank stands out more, and
 * full text counting twice dense search: BM25 found the right section more often than the bundled
 * model on every eval corpus (recall@5 0.56–0.77 against 0.41–0.64), and this pair lifted hybrid
 * recall@1 and @5 on all three together (npm run eval; tuned as a pair, not per corpus).
 */
const RRF_K = 20;
const DENSE_WEIGHT = 1;
const LEXICAL_WEIGHT = 2;
/** Each retriever proposes this many candidates per wanted result, before fusion and de-duplication. */
const CANDIDATES_PER_RESULT = 4;
const MIN_CANDIDATES = 20;
/**
 * Dense search proposes more: the bundled model rarely ranks the right section near the top, but
 * often within its first fifty, and there its vote still lifts a passage full text ranks well
 * over one that only full text found. From 20 to 50 dense candidates, hybrid recall@5 went 0.648
 * → 0.685 on the robotics textbook and 0.741 → 0.815 on the Docusaurus docs, the bundled course's
 * recall unchanged (npm run eval). 100 put the fact in one more docs answer, but on a table under
 * 10,000 vectors a limit that high makes PostgreSQL scan every vector (5 → 11 ms at 1,820 in
 * npm run bench:retrieval). Full text's own depth past 20 changed nothing.
 */
const MIN_DENSE_CANDIDATES = 50;
/** Chunks read per wanted result before any more (see bestChunkPerSection). */
const FIRST_READ_PER_RESULT = 2;

export interface RetrievedChunk extends CatalogChunk {
  /** Reciprocal-rank-fusion score of the two retrievers. */
  score: number;
  /** Cosine similarity from dense search, when the chunk was among its candidates. */
  dense_score: number | null;
  /** Full-text (BM25) score, when the chunk was among lexical candidates. */
  lexical_score: number | null;
}

/** `dense` and `lexical` alone exist to measure each half (npm run eval). */
export type RetrievalMode = 'hybrid' | 'dense' | 'lexical';

export interface RetrievalOptions {
  mode?: RetrievalMode;
  /**
   * The page (URL or route, optionally with `#anchor`) the reader is on or selected text in: its
   * sections rank higher, and on a versioned site only its docs version answers.
   */
  preferPage?: string | undefined;
  /**
   * Part of the query that says what is new (a follow-up's own words, searched together with the
   * question it follows): its terms weigh more in full-text ranking than the borrowed topic's.
   */
  emphasis?: string | undefined;
}

/**
 * Hybrid retrieval: dense (embedding) search finds passages that mean the same as the question,
 * lexical (full-text) search finds passages that use its exact terms; their rankings are fused
 * with weighted Reciprocal Rank Fusion, and only the best chunk of each section is kept, so the results
 * point at distinct places in the course.
 */
export async function retrieveRelevantChunks(
  knowledge: KnowledgeBase,
  question: string,
  limit: number,
  options: RetrievalOptions | RetrievalMode = {},
): Promise<RetrievedChunk[]> {
  return (await searchCourse(knowledge, question, limit, options)).chunks;
}

/**
 * How close the course comes to a question, over every candidate (not only the results kept):
 * the best cosine similarity and the best share of the question's term weight in one passage.
 */
export interface Closeness {
  dense: number;
  coverage: number;
}

export interface CourseSearch {
  chunks: RetrievedChunk[];
  closeness: Closeness;
}

/** retrieveRelevantChunks, with how close the course came (for relevance.ts). */
export async function searchCourse(
  knowledge: KnowledgeBase,
  question: string,
  limit: number,
  options: RetrievalOptions | RetrievalMode = {},
): Promise<CourseSearch> {
  const { mode = 'hybrid', preferPage, emphasis } = typeof options === 'string' ? { mode: options } : options;
  const candidates = Math.max(limit * CANDIDATES_PER_RESULT, MIN_CANDIDATES);
  const denseCandidates = Math.max(candidates, MIN_DENSE_CANDIDATES);
  const preferred = preferPage === undefined ? undefined : locationOf(preferPage);
  // The reader's page is looked up while the course is searched (its failure is reported below).
  const pageLookup = preferred === undefined ? undefined : knowledge.catalog.page(preferred.route);
  pageLookup?.catch(() => undefined);
  const lexicalSearch = mode === 'dense' ? Promise.resolve([]) : knowledge.catalog.searchText(question, candidates, emphasis);
  // Full text answers before the embedding and dense search do, and weighs double in fusion, so
  // the results nearly always come from its best passages: they are read in the meantime.
  const lexicalBest = lexicalSearch.then((found) => knowledge.catalog.get(found.slice(0, limit * FIRST_READ_PER_RESULT).map((match) => match.id)));
  lexicalBest.catch(() => undefined);
  const [dense, lexical] = await Promise.all([mode === 'lexical' ? [] : searchDense(knowledge, question, denseCandidates), lexicalSearch]);
  const readerPage = await pageLookup;
  const fused = fuseRankings(dense, lexical);
  if (preferred !== undefined && readerPage !== undefined) {
    const anchorsOnPage = new Map(readerPage.chunks.map((chunk) => [chunk.id, chunk.anchor]));
    for (const entry of fused) {
      const anchor = anchorsOnPage.get(entry.id);
      if (anchor === undefined) continue;
      // As if one retriever had ranked the reader's page first, and its section once more.
      entry.score += 1 / (RRF_K + 1);
      if (preferred.anchor !== '' && anchor === preferred.anchor) entry.score += 1 / (RRF_K + 1);
    }
    fused.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  }
  // A reader of the 2.0 docs gets 2.0 answers: the page they are on says which version they read.
  const readerVersion = readerPage === undefined ? undefined : docsVersionOf(readerPage.docPath);
  const results = await bestChunkPerSection(knowledge, fused, limit, readerVersion, await lexicalBest);
  const best = (scores: readonly number[]) => Math.max(0, ...scores);
  return { chunks: results, closeness: { dense: best(dense.map((match) => match.score)), coverage: best(lexical.map((match) => match.coverage)) } };
}

/**
 * The best chunk of each section, in fused order, until `limit` sections. Chunks are read only as
 * far as that needs, and only those not `alreadyRead`: the best FIRST_READ_PER_RESULT × limit
 * first, the rest only when those hold too few distinct sections of the reader's version.
 */
async function bestChunkPerSection(
  knowledge: KnowledgeBase,
  fused: readonly FusedEntry[],
  limit: number,
  readerVersion: string | undefined,
  alreadyRead: readonly CatalogChunk[],
): Promise<RetrievedChunk[]> {
  const chunks = new Map(alreadyRead.map((chunk) => [chunk.id, chunk]));
  const seenSections = new Set<string>();
  const results: RetrievedChunk[] = [];
  for (let start = 0; start < fused.length && results.length < limit; ) {
    const end = start === 0 ? limit * FIRST_READ_PER_RESULT : fused.length;
    const batch = fused.slice(start, end);
    const unread = batch.filter((entry) => !chunks.has(entry.id)).map((entry) => entry.id);
    if (unread.length > 0) for (const chunk of await knowledge.catalog.get(unread)) chunks.set(chunk.id, chunk);
    for (const entry of batch) {
      const chunk = chunks.get(entry.id);
      // A vector without a catalog row (an interrupted ingest) is skipped rather than shown empty.
      if (!chunk || seenSections.has(chunk.url)) continue;
      if (readerVersion !== undefined && docsVersionOf(chunk.doc_path) !== readerVersion) continue;
      seenSections.add(chunk.url);
      results.push({ ...chunk, score: entry.score, dense_score: entry.denseScore, lexical_score: entry.lexicalScore });
      if (results.length === limit) break;
    }
    start = end;
  }
  return results;
}

/** What readers are told when only keyword search could answer. */
export const LEXICAL_ONLY_NOTICE = {
  code: 'lexical_only',
  message: 'Course search is partly unavailable; this answer is based on keyword matches only.',
} as const;

/**
 * Hybrid retrieval that degrades instead of failing: when the vector store (or the embedder) is
 * down, full-text search — which lives in the database — answers alone, and `lexicalOnly` says
 * so. When the database itself is what failed, full-text search fails too and its error is passed
 * on (the dense error alone cannot tell: an unreachable Qdrant and an unreachable database both
 * look like ECONNREFUSED).
 */
export async function retrieveWithFallback(
  knowledge: KnowledgeBase,
  question: string,
  limit: number,
  options: Omit<RetrievalOptions, 'mode'>,
  log: Pick<FastifyBaseLogger, 'warn'>,
): Promise<CourseSearch & { lexicalOnly: boolean }> {
  try {
    return { ...(await searchCourse(knowledge, question, limit, options)), lexicalOnly: false };
  } catch (denseError) {
    const found = await searchCourse(knowledge, question, limit, { ...options, mode: 'lexical' });
    log.warn({ err: denseError, store: knowledge.store.name }, 'dense retrieval failed; answering from full-text search only');
    return { ...found, lexicalOnly: true };
  }
}

/** `https://site/docs/ros2/urdf/#x` and `/docs/ros2/urdf#x` are the same section of the same page. */
function locationOf(url: string): { route: string; anchor: string } {
  if (!URL.canParse(url, 'http://page.invalid')) return { route: url, anchor: '' };
  const parsed = new URL(url, 'http://page.invalid');
  return { route: parsed.pathname.replace(/\/+$/, ''), anchor: decodeURIComponent(parsed.hash.slice(1)) };
}

async function searchDense(knowledge: KnowledgeBase, question: string, candidates: number): Promise<ScoredId[]> {
  const [queryVector] = await knowledge.queryEmbedder.embed([question]);
  return queryVector ? knowledge.store.search(queryVector, candidates) : [];
}

interface FusedEntry {
  id: string;
  score: number;
  denseScore: number | null;
  lexicalScore: number | null;
}

export function fuseRankings(dense: readonly ScoredId[], lexical: readonly ScoredId[]): FusedEntry[] {
  const entries = new Map<string, FusedEntry>();
  const addRanking = (ranking: readonly ScoredId[], scoreField: 'denseScore' | 'lexicalScore', weight: number) =>
    ranking.forEach((result, rank) => {
      const entry = entries.get(result.id) ?? { id: result.id, score: 0, denseScore: null, lexicalScore: null };
      entry.score += weight / (RRF_K + rank + 1);
      entry[scoreField] = result.score;
      entries.set(result.id, entry);
    });
  addRanking(dense, 'denseScore', DENSE_WEIGHT);
  addRanking(lexical, 'lexicalScore', LEXICAL_WEIGHT);
  return [...entries.values()].sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}
