import type { Logger } from 'pino';
import type { Database } from './database.js';
import { applyMigrations } from './migrate.js';

const RETRY_INTERVAL_MS = 2_000;

/**
 * Node and PostgreSQL codes that mean "the database is not reachable (yet)", not "it is broken":
 * connection failures (08xxx), the server shutting down or crashing under a connection (57P01,
 * 57P02) and starting up again (57P03).
 */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

export function isDatabaseUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnreachable);
  // node-postgres's own words for a connection that died under a query, or is used after it died.
  if (/timeout|Connection terminated|not queryable/i.test(error.message)) return true;
  // drizzle wraps the driver's error ("Failed query: …") and keeps it as the cause.
  return error.cause !== undefined && error.cause !== error && isDatabaseUnreachable(error.cause);
}

export interface DatabasePreparation {
  /** Stops retrying (on shutdown). */
  stop(): void;
}

/**
 * Applies migrations before the server takes traffic. When the database is merely unreachable
 * (an orchestrator started Docent before its database), the server starts anyway, reports itself
 * degraded on /health, and keeps retrying in the background; any other failure (bad credentials,
 * SSL refused, a broken migration) stops startup, since waiting would not fix it.
 */
export async function prepareDatabase(database: Database, log: Logger): Promise<DatabasePreparation> {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const attempt = async (): Promise<boolean> => {
    try {
      const report = await applyMigrations(database.db);
      log.info({ database: database.kind, location: database.location, ...report }, 'database ready');
      return true;
    } catch (error) {
      if (!isDatabaseUnreachable(error)) throw error;
      log.error({ err: error, location: database.location, retry_in_ms: RETRY_INTERVAL_MS }, 'database unreachable; will keep retrying');
      return false;
    }
  };
  const scheduleRetry = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      attempt().then(
        (ready) => ready || scheduleRetry(),
        (error: unknown) => log.fatal({ err: error }, 'database migrations failed; fix the database and restart'),
      );
    }, RETRY_INTERVAL_MS);
    timer.unref();
  };
  if (!(await attempt())) scheduleRetry();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
