/**
 * Starts Docent: reads the configuration, builds the app, listens, and shuts down gracefully on
 * SIGTERM/SIGINT (stop accepting, let in-flight requests finish, close the database).
 */
import { buildApp, DOCENT_VERSION } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { DataDirLockedError } from './db/pglite-lock.js';
import { isDatabaseUnreachable } from './db/prepare.js';
import { bundledCourseNeedsIngest, ingestBundledCourseIfEmpty } from './knowledge/bundled-course.js';
import { createLogger } from './observability/logger.js';
import { EmbedderMismatchError } from './stores/vector-store.js';

/** After this long, a shutdown that is still waiting for requests gives up and exits. */
const SHUTDOWN_GRACE_MS = 10_000;

async function start(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) exitWith(`Configuration error: ${error.message}`);
    throw error;
  }

  const bootLog = createLogger(config.logLevel);
  if (config.secretKeySource !== 'env') {
    bootLog.warn(
      { data_dir: config.dataDir },
      config.secretKeySource === 'generated'
        ? 'SECRET_KEY is not set: generated a random development secret and saved it in DATA_DIR. Set SECRET_KEY in production.'
        : 'SECRET_KEY is not set: using the development secret saved in DATA_DIR. Set SECRET_KEY in production.',
    );
  }

  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp(config);
  } catch (error) {
    if (error instanceof DataDirLockedError) exitWith(`Cannot start: ${error.message}`);
    bootLog.fatal({ err: error }, 'could not start');
    process.exit(1);
  }

  try {
    await app.knowledge.store.prepare(app.knowledge.embedder);
  } catch (error) {
    if (error instanceof EmbedderMismatchError) exitWith(`Cannot start: ${error.message}`);
    // An unreachable database or vector store is an outage, not a misconfiguration: start anyway
    // (health and status report it) and let search recover when the store returns.
    app.log.warn(
      { err: error, store: app.knowledge.store.name, database_unreachable: isDatabaseUnreachable(error) },
      'vector store not ready at startup; course search stays empty until it is reachable',
    );
  }

  const backgroundWork = new AbortController();
  let backgroundIngest: Promise<void> = Promise.resolve();
  let shuttingDown = false;
  const shutDown = (signal: NodeJS.Signals) => {
    if (shuttingDown) return;
    shuttingDown = true;
    app.log.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    backgroundWork.abort();
    const forceExit = setTimeout(() => {
      app.log.error('shutdown took too long; exiting with requests still open');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    forceExit.unref();
    backgroundIngest.then(() => app.close()).then(
      () => {
        app.log.info('shutdown complete');
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutDown);
  process.on('SIGINT', shutDown);

  // Readers who ask before the first-start ingest has finished are told so from their first question.
  if (await bundledCourseNeedsIngest(app.knowledge, config.dataDir).catch(() => false)) app.knowledge.indexing.begin();
  const address = await app.listen({ host: config.host, port: config.port });
  app.log.info(
    { address, version: DOCENT_VERSION, env: config.nodeEnv, database: app.database.kind },
    `Docent is listening on ${address} (course: ${address}/, health: ${address}/health, API docs: ${address}/api/docs)`,
  );
  // In the background: health and the API answer while the course is being ingested.
  backgroundIngest = ingestBundledCourseIfEmpty(app.knowledge, config.dataDir, app.log, backgroundWork.signal).catch((error: unknown) => {
    if (backgroundWork.signal.aborted) app.log.info('bundled course ingest paused by shutdown; it resumes at the next start');
    else app.log.error({ err: error }, 'could not ingest the bundled course; run npm run ingest to retry');
  });
  // However it ended (done, paused, failed before it began), readers are no longer told it is running,
  // and the full-text index is built then, so the first reader after it is ranked from memory.
  void backgroundIngest.finally(() => {
    app.knowledge.indexing.finish();
    void app.knowledge.catalog.prepareSearchIndex();
  });
}

/** Startup refusals are one plain line on stderr, so they read well in any deploy log. */
function exitWith(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

await start();
