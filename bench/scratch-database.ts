import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server benchmarks use (this machine's by default); each run gets its own database in it. */
export const POSTGRES_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A new, empty database for one benchmark target, dropped afterwards. */
export async function createScratchPostgres(): Promise<{ url: string; drop(): Promise<void> }> {
  const databaseName = `docent_bench_${randomBytes(4).toString('hex')}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`create database ${databaseName}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${databaseName}`;
  return { url: url.toString(), drop: () => run(`drop database if exists ${databaseName} with (force)`) };
}
