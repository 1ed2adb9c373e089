import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * Why the PostgreSQL suites cannot run here (no server, no pgvector), as found by
 * test/postgres-preflight.ts before any suite started; undefined when they can.
 */
export const POSTGRES_MISSING: string | undefined = process.env.DOCENT_TEST_POSTGRES_MISSING;

/** The real PostgreSQL the suite runs against; each test gets its own fresh database inside it. */
export const POSTGRES_ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface ProvisionedPostgres {
  url: string;
  drop(): Promise<void>;
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a random name and returns its URL. */
export async function createFreshPostgresDatabase(): Promise<ProvisionedPostgres> {
  const name = `docent_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`create database ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdminClient((client) => client.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}
