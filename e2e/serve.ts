/**
 * The servers the browser tests run against:
 * - Docent itself on E2E_DOCENT_PORT (production mode, embedded database in a temporary directory,
 *   the bundled course ingested before it listens), which also serves the demo course site;
 * - a separate "course site" on E2E_SITE_PORT serving `e2e/fixtures/*.html`, which embeds the
 *   widget from Docent the way a real course site does (another origin, listed in CORS_ORIGINS).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestCourse } from '@docent/ingest';
import { buildApp } from '../server/src/app.js';
import { loadConfig } from '../server/src/config.js';
import { BUNDLED_COURSE_DIR, DOCS_ROUTE_BASE } from '../server/src/knowledge/bundled-course.js';
import { E2E_DOCENT_PORT, E2E_SITE_PORT } from './ports.js';

const dataDir = mkdtempSync(join(tmpdir(), 'docent-e2e-'));
const siteOrigin = `http://localhost:${E2E_SITE_PORT}`;
const docentOrigin = `http://localhost:${E2E_DOCENT_PORT}`;
const config = loadConfig({
  // Development mode: production would mark the visitor cookie Secure, which a browser drops over plain http.
  NODE_ENV: 'development',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'warn',
  CORS_ORIGINS: `${siteOrigin},${docentOrigin}`,
  PORT: String(E2E_DOCENT_PORT),
});
const app = await buildApp(config);
await ingestCourse({ docsDir: BUNDLED_COURSE_DIR, routeBase: DOCS_ROUTE_BASE, reset: false, dryRun: false }, app.knowledge);
await app.listen({ port: E2E_DOCENT_PORT, host: '127.0.0.1' });

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const site = createServer((request, response) => {
  const name = (request.url ?? '/').split('?')[0]?.replace(/^\/+/, '') || 'course-page.html';
  if (!/^[\w-]+\.html$/.test(name)) {
    response.writeHead(404).end('not found');
    return;
  }
  try {
    const page = readFileSync(join(fixtures, name), 'utf8').replaceAll('{{DOCENT}}', docentOrigin);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  } catch {
    response.writeHead(404).end('not found');
  }
});
site.listen(E2E_SITE_PORT, '127.0.0.1');
console.log(`e2e servers ready: Docent ${docentOrigin}, course site ${siteOrigin}`);

const stop = () => {
  site.close();
  void app.close().then(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
