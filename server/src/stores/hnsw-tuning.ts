/**
 * How the HNSW index of a pgvector table is built and searched, by the table's size. Measured with
 * `npm run bench:retrieval` and probes on 20,000 real chunks with versioned near-copies (the hard
 * case for a graph index: clusters of close neighbours), recall@10 against exact search, on
 * PostgreSQL, 2026-12-04 (two sets of copies where a range is given):
 *
 * | vectors | graph (m, ef_construction) | build | candidates (ef_search) | recall@10 | plan |
 * | --- | --- | --- | --- | --- | --- |
 * | 1,822 | 16, 64 | 0.3 s | 100 | 0.986 | index, 1.1 ms |
 * | 1,822 | 16, 64 | | 200 | 1 | exact scan chosen, 3.6 ms |
 * | 5,000 | 16, 64 | 0.9 s | 100 | 0.981 | index, 0.8 ms |
 * | 20,000 | 16, 64 | 4.3 s | 100 / 200 | 0.944 / 0.959 | index |
 * | 20,000 | 24, 128 | 9.2 s | 200 | 0.974 | index |
 * | 20,000 | 32, 128 | 12.4–13.3 s | 200 / 400 | 0.982–0.983 / 0.983–0.987 | index, 2.8 ms |
 * | 20,000 | 32, 200 | 15.4–16.2 s | 200 | 0.992–0.998 | index, 2.3–2.9 ms |
 * | 20,000 | 48, 200 | 28.2 s | 200 | 0.991 | index |
 *
 * Small tables keep pgvector's default graph and 100 candidates, and PostgreSQL's planner decides
 * between the index and an exact scan: with more candidates its cost model (candidates × the
 * graph's degree against the table's size) judged the index dearer than reading every vector on
 * mid-size tables (an exact scan of 3.6 ms at 1,822 vectors, 9.3 ms at 5,000, against ~1 ms), and on
 * small, tightly clustered data an exact scan is also the safe answer (a graph over a few
 * well-separated clusters can leave one unreachable). Large tables get the denser graph, 200
 * candidates and the index always, where an exact scan would read every vector.
 */

/** From this many vectors a bulk load builds the denser graph. */
export const LARGE_TABLE_VECTORS = 10_000;

export interface HnswGraph {
  m: number;
  efConstruction: number;
}

export interface HnswSearchSettings {
  /** pgvector's hnsw.ef_search. */
  candidates: number;
  /** Turns exact (sequential) scans off, so the index is used whenever it exists. */
  alwaysUseIndex: boolean;
}

const DEFAULT_GRAPH: HnswGraph = { m: 16, efConstruction: 64 };
const DENSE_GRAPH: HnswGraph = { m: 32, efConstruction: 200 };

export function graphForTable(vectors: number): HnswGraph {
  return vectors >= LARGE_TABLE_VECTORS ? DENSE_GRAPH : DEFAULT_GRAPH;
}

/** The settings searches use over the index as built (its `m`), or with no index at all. */
export function searchSettingsForGraph(m: number | undefined): HnswSearchSettings {
  return m !== undefined && m >= DENSE_GRAPH.m ? { candidates: 200, alwaysUseIndex: true } : { candidates: 100, alwaysUseIndex: false };
}

/** The `m` an index was built with, from its storage options (`{m=32,ef_construction=128}`); 16 when not given. */
export function graphDegreeOf(storageOptions: readonly string[] | null | undefined): number {
  const option = storageOptions?.find((entry) => entry.startsWith('m='));
  return option === undefined ? DEFAULT_GRAPH.m : Number(option.slice(2));
}
