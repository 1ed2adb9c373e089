import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import type { SQL } from 'drizzle-orm';
import { drizzle as drizzleNodePostgres } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type { Logger } from 'pino';
import pg from 'pg';
import { redactString } from '../observability/redact.js';
import { withTimeout } from '../with-timeout.js';
import { acquireDataDirLock } from './pglite-lock.js';
import { createPgliteClusterIfMissing, PGLITE_START_PARAMS } from './pglite-memory.js';
import { schema } from './schema.js';

export type DocentDb = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  kind: 'pglite' | 'postgres';
  db: DocentDb;
  /** Where the data lives, safe to log (credentials removed). */
  location: string;
  /** Resolves when the database answers a trivial query within `timeoutMs`; rejects otherwise. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** Unset → embedded PGlite inside `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  log: Logger;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl === undefined
    ? openEmbeddedDatabase(options.dataDir)
    : openPostgresDatabase(options.databaseUrl, options.log);
}

async function openEmbeddedDatabase(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const releaseLock = acquireDataDirLock(join(dataDir, 'pglite.lock'));
  const directory = join(dataDir, 'pglite');
  try {
    await createPgliteClusterIfMissing(directory);
    const client = await PGlite.create(directory, { extensions: { vector }, startParams: PGLITE_START_PARAMS });
    await client.exec('create extension if not exists vector');
    return {
      kind: 'pglite',
      db: drizzlePglite(client, { schema }),
      location: directory,
      ping: async (timeoutMs) => void (await withTimeout(client.query('select 1'), timeoutMs, `database did not answer within ${timeoutMs} ms`)),
      async close() {
        try {
          await client.close();
        } finally {
          releaseLock();
        }
      },
    };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

async function openPostgresDatabase(databaseUrl: string, log: Logger): Promise<Database> {
  const { connectionString, transactionPooler } = parsePostgresUrl(databaseUrl);
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'docent',
  });
  // When the server goes away, every connection emits 'error': idle ones through the pool, and
  // checked-out ones (between a transaction's queries, say) on the client itself. An 'error' with
  // no listener would crash the process, so each client gets one; the failing query or
  // transaction still gets its error, and the pool drops the connection. Only the message and code
  // are logged: the error carries the client, whose connection parameters include the password.
  const logLostConnection = (error: Error & { code?: string }) =>
    log.warn({ err: { message: error.message, code: error.code } }, 'database connection lost');
  pool.on('error', logLostConnection);
  pool.on('connect', (client) => client.on('error', logLostConnection));
  const location = redactString(databaseUrl);
  return {
    kind: 'postgres',
    // node-postgres only uses named prepared statements when asked to; Docent never asks, which is
    // what PgBouncer's transaction pooling needs (`pgbouncer=true` only documents the intent).
    db: drizzleNodePostgres(pool, { schema }),
    location: transactionPooler ? `${location} (via transaction pooler)` : location,
    ping: async (timeoutMs) => void (await withTimeout(pool.query('select 1'), timeoutMs, `database did not answer within ${timeoutMs} ms`)),
    close: () => pool.end(),
  };
}

/**
 * `pgbouncer=true` is ours, not libpq's: remove it before node-postgres sees the URL. node-postgres
 * already treats `sslmode=require` as `verify-full` (certificate checked) and warns on stderr that
 * this will change; naming `verify-full` keeps today's stricter behaviour and silences the warning.
 */
function parsePostgresUrl(databaseUrl: string): { connectionString: string; transactionPooler: boolean } {
  const url = new URL(databaseUrl);
  const transactionPooler = url.searchParams.get('pgbouncer') === 'true';
  url.searchParams.delete('pgbouncer');
  if (['prefer', 'require', 'verify-ca'].includes(url.searchParams.get('sslmode') ?? '')) {
    url.searchParams.set('sslmode', 'verify-full');
  }
  return { connectionString: url.toString(), transactionPooler };
}

/**
 * Runs raw SQL and returns its rows. Both drivers answer `{ rows }`, but drizzle's type for a
 * database that may be either driver leaves the result unknown, so the shape is checked here.
 */
export async function queryRows<Row>(db: Pick<DocentDb, 'execute'>, query: SQL): Promise<Row[]> {
  const result: unknown = await db.execute(query);
  if (typeof result === 'object' && result !== null && 'rows' in result && Array.isArray(result.rows)) {
    return result.rows as Row[];
  }
  throw new Error('The database driver returned a result without rows');
}
