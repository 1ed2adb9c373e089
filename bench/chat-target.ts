/**
 * One Docent server for the chat benchmark, in its own process (the load generator must not share
 * its event loop): the production app with extractive answers, on the embedded database (`pglite`)
 * or on a scratch PostgreSQL database (`postgres`), with the bundled course ingested before it
 * listens. Prints `LISTENING <port>` on stderr; stops and cleans up on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestCourse } from '@docent/ingest';
import { buildApp } from '../server/src/app.js';
import { loadConfig } from '../server/src/config.js';
import { BUNDLED_COURSE_DIR, BUNDLED_COURSE_ROUTES } from '../server/src/knowledge/bundled-course.js';
import { createScratchPostgres } from './scratch-database.js';

const backend = process.argv[2] === 'postgres' ? 'postgres' : 'pglite';
const dataDir = mkdtempSync(join(tmpdir(), 'docent-bench-chat-'));
const scratch = backend === 'postgres' ? await createScratchPostgres() : undefined;
const config = loadConfig({
  NODE_ENV: 'production',
  DATA_DIR: dataDir,
  SECRET_KEY: randomBytes(32).toString('hex'),
  CORS_ORIGINS: 'https://bench.example.com', PUBLIC_URL: 'https://bench.example.com', REQUIRE_EMAIL_VERIFICATION: 'false',
  LOG_LEVEL: 'warn',
  // The load comes from one address; the benchmark measures answering, not the limiter.
  RATE_LIMIT_CHAT_PER_MINUTE: '1000000',
  ...(scratch ? { DATABASE_URL: scratch.url } : {}),
});
const app = await buildApp(config);
await ingestCourse({ docsDir: BUNDLED_COURSE_DIR, ...BUNDLED_COURSE_ROUTES, reset: false, dryRun: false }, app.knowledge);
await app.listen({ port: 0, host: '127.0.0.1' });
process.stderr.write(`LISTENING ${(app.server.address() as { port: number }).port}\n`);
process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })();
});
