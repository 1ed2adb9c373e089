import { sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../src/db/database.js';
import { prepareDatabase } from '../../src/db/prepare.js';
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

describe('PgvectorStore bulk loads', () => {
  it('loads a large ingest without its HNSW index and builds it once at the end', async () => {
    const target = await freshDatabaseConfig('pglite');
    const database = await openDatabase({ databaseUrl: target.config.databaseUrl, dataDir: target.config.dataDir, log: silent });
    try {
      await prepareDatabase(database, silent);
      const store = new PgvectorStore(database.db, 'pglite', 'bulk_collection');
      await store.prepare({ id: 'test:axes@1', dimensions: 4 });
      await store.finishBulkLoad();
      const hnswIndexes = async () =>
        (await queryRows<{ count: number }>(database.db, sql`select count(*)::int as count from pg_indexes where tablename = 'vectors_bulk_collection' and indexdef ilike '%hnsw%'`))[0]?.count;
      expect(await hnswIndexes()).toBe(1);
      // A few changed passages keep the index (it is updated as they arrive)...
      await store.startBulkLoad(10);
      expect(await hnswIndexes()).toBe(1);
      // ...a load larger than what is stored sets it aside until finishBulkLoad rebuilds it.
      await store.startBulkLoad(5_000);
      expect(await hnswIndexes()).toBe(0);
      await store.finishBulkLoad();
      expect(await hnswIndexes()).toBe(1);
    } finally {
      await database.close();
      await target.cleanup();
    }
  });
});
