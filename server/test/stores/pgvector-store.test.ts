import pino from 'pino';
import { openDatabase } from '../../src/db/database.js';
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
