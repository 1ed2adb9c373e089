import nodemailer from 'nodemailer';
import { Redis } from 'ioredis';
import { sql } from 'drizzle-orm';
import type { Config } from '../config.js';
import { DEFAULT_DEV_SECRET, secretWeakness } from '../config.js';
import { openDatabase, queryRows, type Database } from '../db/database.js';
import { DataDirLockedError } from '../db/pglite-lock.js';
import { BUNDLED_MODEL_DIMENSIONS } from '../embed/embedder.js';
import { createVectorStore } from '../knowledge/knowledge-base.js';
import { createLogger } from '../observability/logger.js';
import { redactString } from '../observability/redact.js';

export interface CheckResult {
  ok: boolean;
  /** What was checked and found, in a line; on failure, how to fix it. */
  message: string;
}

const TIMEOUT_MS = 5_000;
/** A hex or base64 secret of 32 random bytes has far more; "aaaa…" or a word repeated has fewer. */

/**
 * The post-deploy checklist as code: checks the effective configuration where the server runs,
 * the way an operator would by hand, and says how to fix what is wrong.
 */
export async function runDoctor(config: Config): Promise<CheckResult[]> {
  const results = [...configurationChecks(config)];
  const database = await openForDoctor(config);
  results.push(database.result);
  if (database.handle) {
    try {
      results.push(...(await databaseChecks(config, database.handle)));
      results.push(await vectorStoreCheck(config, database.handle));
    } finally {
      await database.handle.close();
    }
  }
  if (config.redisUrl) results.push(await redisCheck(config.redisUrl));
  if (config.mail) results.push(await smtpCheck(config.mail.smtpUrl));
  return results;
}

function configurationChecks(config: Config): CheckResult[] {
  const production = config.isProduction;
  const secretBytes = Buffer.byteLength(config.secretKey, 'utf8');
  const weakness = secretWeakness(config.secretKey);
  const results: CheckResult[] = [
    config.secretKeySource !== 'env'
      ? { ok: !production, message: 'SECRET_KEY is not set: a development secret from DATA_DIR is used (set SECRET_KEY in production: openssl rand -hex 32)' }
      : config.secretKey === DEFAULT_DEV_SECRET
        ? { ok: false, message: 'SECRET_KEY is the published placeholder: generate one with openssl rand -hex 32' }
        : weakness !== undefined
          ? { ok: false, message: `SECRET_KEY is weak (it ${weakness}): use 32 random bytes, e.g. openssl rand -hex 32` }
          : { ok: true, message: `SECRET_KEY is set and strong (${secretBytes} bytes)` },
    config.integrationTestMode
      ? { ok: false, message: 'INTEGRATION_TEST_MODE is true: set it to false (it is for test rigs only)' }
      : { ok: true, message: 'INTEGRATION_TEST_MODE is false' },
  ];
  const insecureOrigins = config.corsOrigins.filter((origin) => !origin.startsWith('https://'));
  results.push(
    production && insecureOrigins.length > 0
      ? { ok: false, message: `CORS_ORIGINS has non-https origins (${insecureOrigins.join(', ')}): list the https:// sites that embed the widget` }
      : { ok: true, message: `CORS_ORIGINS allows ${config.corsOrigins.join(', ')}` },
  );
  results.push(
    production && !config.accounts.publicUrl.startsWith('https://')
      ? { ok: false, message: `PUBLIC_URL is ${config.accounts.publicUrl}: use the https:// address readers reach Docent at` }
      : { ok: true, message: `PUBLIC_URL is ${config.accounts.publicUrl} (links in emails point here)` },
  );
  return results;
}

async function openForDoctor(config: Config): Promise<{ result: CheckResult; handle?: Database }> {
  const log = createLogger('silent');
  try {
    const handle = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
    await handle.ping(TIMEOUT_MS);
    return { result: { ok: true, message: `database reachable: ${handle.location}` }, handle };
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      return { result: { ok: true, message: `embedded database in DATA_DIR, in use by the running Docent (pid ${error.holderPid}); stop it to check the database from here` } };
    }
    const where = config.databaseUrl ? redactString(config.databaseUrl) : `the embedded database in ${config.dataDir}`;
    return { result: { ok: false, message: `database unreachable at ${where}: ${redactString((error as Error).message)}` } };
  }
}

async function databaseChecks(config: Config, database: Database): Promise<CheckResult[]> {
  if (database.kind === 'pglite' || !config.databaseUrl) return [];
  const host = new URL(config.databaseUrl).hostname;
  const [connection] = await queryRows<{ ssl: boolean | null }>(database.db, sql`select ssl from pg_stat_ssl where pid = pg_backend_pid()`);
  const results: CheckResult[] = [];
  if (isLocalHost(host)) results.push({ ok: true, message: `database connection to ${host} is local${connection?.ssl ? ', with SSL' : ' (SSL not required)'}` });
  else if (connection?.ssl) results.push({ ok: true, message: `database connection to ${host} uses SSL` });
  else results.push({ ok: false, message: `database connection to ${host} is not encrypted: add sslmode=require to DATABASE_URL` });
  if (!config.qdrant.url) {
    const [vector] = await queryRows<{ available: boolean }>(database.db, sql`select exists (select 1 from pg_available_extensions where name = 'vector') as available`);
    results.push(
      vector?.available
        ? { ok: true, message: 'pgvector is available in the database' }
        : { ok: false, message: 'pgvector is not installed on this PostgreSQL: install it (see README, "pgvector on your own PostgreSQL") or set QDRANT_URL' },
    );
  }
  return results;
}

/** Loopback, or a name without dots (a service on a private container network). */
function isLocalHost(host: string): boolean {
  return ['localhost', '127.0.0.1', '::1', '[::1]'].includes(host) || !host.includes('.');
}

async function vectorStoreCheck(config: Config, database: Database): Promise<CheckResult> {
  const expected = config.embedding ? config.embedding.dimensions : BUNDLED_MODEL_DIMENSIONS;
  if (config.qdrant.url) return qdrantCheck(config.qdrant, expected);
  const status = await createVectorStore(config, database, undefined).status();
  if (status.status !== 'connected') return { ok: false, message: `vector store (${status.store}) unreachable or not set up: start the server once (it applies migrations), then npm run ingest` };
  if (!status.vectors) return { ok: false, message: `vector store (${status.store}) is empty: run npm run ingest` };
  if (expected !== undefined && status.dimensions !== expected) {
    return { ok: false, message: `vector store (${status.store}) holds ${status.dimensions}-dimension vectors, the embedder makes ${expected}: run npm run ingest -- --reset` };
  }
  return { ok: true, message: `vector store (${status.store}) holds ${status.vectors} vectors of ${status.dimensions} dimensions` };
}

async function qdrantCheck(qdrant: Config['qdrant'], expectedDimensions: number | undefined): Promise<CheckResult> {
  const where = `Qdrant at ${qdrant.url ?? ''}`;
  let response: Response;
  try {
    response = await fetch(`${qdrant.url ?? ''}/collections/${encodeURIComponent(qdrant.collection)}`, {
      headers: qdrant.apiKey ? { 'api-key': qdrant.apiKey } : {},
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    return { ok: false, message: `${where} unreachable: ${(error as Error).message}` };
  }
  if (response.status === 401 || response.status === 403) return { ok: false, message: `${where} refused the API key: check QDRANT_API_KEY` };
  if (response.status === 404) return { ok: false, message: `${where} has no collection "${qdrant.collection}": run npm run ingest` };
  if (!response.ok) return { ok: false, message: `${where} answered ${response.status}` };
  const body = (await response.json()) as { result?: { points_count?: number; config?: { params?: { vectors?: { size?: number } } } } };
  const size = body.result?.config?.params?.vectors?.size;
  const points = body.result?.points_count ?? 0;
  if (expectedDimensions !== undefined && size !== expectedDimensions) {
    return { ok: false, message: `${where}: collection "${qdrant.collection}" has ${size ?? 'unknown'}-dimension vectors, the embedder makes ${expectedDimensions}: run npm run ingest -- --reset` };
  }
  if (points === 0) return { ok: false, message: `${where}: collection "${qdrant.collection}" is empty: run npm run ingest` };
  return { ok: true, message: `${where}: collection "${qdrant.collection}" has ${points} vectors of ${size ?? '?'} dimensions` };
}

async function redisCheck(redisUrl: string): Promise<CheckResult> {
  const redis = new Redis(redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: TIMEOUT_MS, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return { ok: true, message: `Redis reachable at ${redactString(redisUrl)} (rate limits shared across instances)` };
  } catch (error) {
    return { ok: false, message: `Redis unreachable at ${redactString(redisUrl)}: ${(error as Error).message} (rate limits would fail open)` };
  } finally {
    redis.disconnect();
  }
}

async function smtpCheck(smtpUrl: string): Promise<CheckResult> {
  const transport = nodemailer.createTransport(smtpUrl, { connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS } as never);
  try {
    await transport.verify();
    return { ok: true, message: `SMTP server reachable at ${redactString(smtpUrl)}` };
  } catch (error) {
    return { ok: false, message: `SMTP server at ${redactString(smtpUrl)} failed: ${redactString((error as Error).message)} (readers could not confirm accounts)` };
  } finally {
    transport.close();
  }
}
