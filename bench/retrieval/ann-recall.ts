import { sql } from 'drizzle-orm';
import { queryRows, type DocentDb } from '../../server/src/db/database.js';
import { vectorLiteral, vectorTableOf } from '../../server/src/stores/pgvector-store.js';
import type { VectorStore } from '../../server/src/stores/vector-store.js';

/**
 * Recall@k of the store's approximate (HNSW) search against exact search, averaged over the query
 * vectors: the share of the true k nearest chunks that the index returns. Exact search is the same
 * ORDER BY with index scans switched off for that one transaction, so PostgreSQL scans every vector.
 */
export async function annRecallAtK(db: DocentDb, store: VectorStore, queryVectors: readonly Float32Array[], k: number): Promise<number> {
  const table = sql.raw(vectorTableOf(store.collection));
  let found = 0;
  for (const vector of queryVectors) {
    const literal = vectorLiteral(vector);
    const approximate = new Set((await store.search(vector, k)).map((match) => match.id));
    const exact = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_indexscan = off`);
      return queryRows<{ id: string }>(tx, sql`select chunk_id::text as id from ${table} order by embedding <=> ${literal}::vector limit ${k}`);
    });
    found += exact.filter((row) => approximate.has(row.id)).length / Math.max(exact.length, 1);
  }
  return Math.round((found / Math.max(queryVectors.length, 1)) * 1000) / 1000;
}
