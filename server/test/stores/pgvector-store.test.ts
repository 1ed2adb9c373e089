import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type DocentDb } from '../../src/db/database.js';
import { prepareDatabase } from '../../src/db/prepare.js';
import { LARGE_TABLE_VECTORS } from '../../src/stores/hnsw-tuning.js';
import { PgvectorStore } from '../../src/stores/pgvector-store.js';
import { freshDatabaseConfig } from '../helpers/app.js';
import { POSTGRES_MISSING } from '../helpers/postgres.js';
import { vectorStoreBehaviour } from './store-suite.js';

const silent = pino({ level: 'silent' });

for (const backend of POSTGRES_MISSING === undefined ? (['pglite', 'postgres'] as const) : (['pglite'] as const)) {
  vectorStoreBehaviour(backend === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL + pgvector', async () => {
    const target = await freshDatabaseConfig(backend);
    const database = await openDatabase({ databaseUrl: target.config.databaseUrl, dataDir: target.config.dataDir, log: silent });
    await prepareDatabase(database, silent);
    return {
      store: new PgvectorStore(database.db, backend === 'pglite' ? 'pglite' : 'pgvector', 'test_collection'),
      close: async () => {
        await database.close();
        await target.cleanup();
      },
    };
  });
}

/** A store over a fresh embedded database, prepared for `dimensions`, closed after `use`. */
async function withPgliteStore(collection: string, dimensions: number, use: (store: PgvectorStore, db: DocentDb) => Promise<void>): Promise<void> {
  const target = await freshDatabaseConfig('pglite');
  const database = await openDatabase({ databaseUrl: target.config.databaseUrl, dataDir: target.config.dataDir, log: silent });
  try {
    await prepareDatabase(database, silent);
    const store = new PgvectorStore(database.db, 'pglite', collection);
    await store.prepare({ id: 'test:vectors@1', dimensions });
    await use(store, database.db);
  } finally {
    await database.close();
    await target.cleanup();
  }
}

describe('PgvectorStore bulk loads', () => {
  it('loads a large ingest without its HNSW index and builds it once at the end', async () => {
    await withPgliteStore('bulk_collection', 4, async (store, db) => {
      await store.finishBulkLoad();
      const hnswIndexes = async () =>
        (await queryRows<{ count: number }>(db, sql`select count(*)::int as count from pg_indexes where tablename = 'vectors_bulk_collection' and indexdef ilike '%hnsw%'`))[0]?.count;
      expect(await hnswIndexes()).toBe(1);
      // A few changed passages keep the index (it is updated as they arrive)...
      await store.startBulkLoad(10);
      expect(await hnswIndexes()).toBe(1);
      // ...a load larger than what is stored sets it aside until finishBulkLoad rebuilds it.
      await store.startBulkLoad(5_000);
      expect(await hnswIndexes()).toBe(0);
      await store.finishBulkLoad();
      expect(await hnswIndexes()).toBe(1);
    });
  });
});

describe('PgvectorStore search over large tables', () => {
  /** A random unit vector: what a large, spread-out course looks like to the index. */
  const randomUnit = (dimensions: number) => {
    const vector = Float32Array.from({ length: dimensions }, () => Math.random() - 0.5);
    const norm = Math.hypot(...vector);
    return vector.map((value) => value / norm);
  };
  const DIMENSIONS = 16;
  /** Building the graph of a large table on PGlite takes 10–35 s on two busy cores (CI runs test files side by side). */
  const LARGE_BUILD_TIMEOUT_MS = 120_000;

  it('builds a denser graph for a large load and finds the true nearest passages through it', async () => {
    await withPgliteStore('large_collection', DIMENSIONS, async (store, db) => {
      const points = Array.from({ length: LARGE_TABLE_VECTORS }, (_, index) => ({
        id: randomUUID(),
        vector: randomUnit(DIMENSIONS),
        payload: { text: `passage ${index}`, chapter: 'Chapter', url: `/docs/p${index}`, heading: 'H', anchor: 'a', doc_path: `p/${index % 50}.md`, content_hash: `h${index}` },
      }));
      await store.startBulkLoad(points.length);
      await store.upsert(points);
      await store.finishBulkLoad();
      const [index] = await queryRows<{ definition: string }>(db, sql`select indexdef as definition from pg_indexes where tablename = 'vectors_large_collection' and indexdef ilike '%hnsw%'`);
      expect(index?.definition).toMatch(/m='?32'?/);
      // Each query is a stored vector, slightly moved: its own passage is the one to find.
      let found = 0;
      const asked = points.slice(0, 40);
      for (const point of asked) {
        const query = point.vector.map((value) => value + (Math.random() - 0.5) * 0.01);
        if ((await store.search(query, 5))[0]?.id === point.id) found += 1;
      }
      expect(found).toBeGreaterThanOrEqual(asked.length - 1);
    });
  }, LARGE_BUILD_TIMEOUT_MS);

  it('searches a table stored by a version that had no search function', async () => {
    await withPgliteStore('older_collection', DIMENSIONS, async (store, db) => {
      const stored = { id: randomUUID(), vector: randomUnit(DIMENSIONS), payload: { text: 't', chapter: 'C', url: '/docs/t', heading: 'H', anchor: 'a', doc_path: 't.md', content_hash: 'h' } };
      await store.upsert([stored]);
      await db.execute(sql.raw('drop function "vectors_older_collection_nearest"(vector, integer)'));
      const reopened = new PgvectorStore(db, 'pglite', 'older_collection');
      expect((await reopened.search(stored.vector, 1))[0]?.id).toBe(stored.id);
      // A collection nothing was ever stored in has neither table nor function: nothing matches.
      expect(await new PgvectorStore(db, 'pglite', 'never_stored').search(stored.vector, 1)).toEqual([]);
    });
  });
});
