/**
 * One server for the HTTP benchmark, in its own process so it does not share a core with the load
 * generator: `docent` is the full production app (embedded database, metrics, request IDs, JSON
 * logs at the level given as the second argument, written to stdout); `bare` is Fastify with one
 * hello route and nothing else. Prints `LISTENING <port>` on stderr.
 */
import { randomBytes } from 'node:crypto';
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';

const mode = process.argv[2];
const logLevel = process.argv[3] === 'warn' ? 'warn' : 'info';

async function start(): Promise<{ port: number; close(): Promise<void> }> {
  if (mode === 'bare') {
    const app = Fastify();
    app.get('/', async () => ({ hello: 'world' }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { port: (app.server.address() as { port: number }).port, close: () => app.close() };
  }
  // Imported only here, so the bare target's process (also the memory bench's reference) holds Fastify alone.
  const { buildApp } = await import('../server/src/app.js');
  const { loadConfig } = await import('../server/src/config.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'docent-bench-'));
  const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, SECRET_KEY: randomBytes(32).toString('hex'), CORS_ORIGINS: 'https://bench.example.com', PUBLIC_URL: 'https://bench.example.com', REQUIRE_EMAIL_VERIFICATION: 'false', LOG_LEVEL: logLevel });
  // Logs go to stdout exactly as in production; the benchmark points stdout at /dev/null.
  const app = await buildApp(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    port: (app.server.address() as { port: number }).port,
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const server = await start();
process.stderr.write(`LISTENING ${server.port}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
