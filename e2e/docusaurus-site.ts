/**
 * A real Docusaurus 3 site with Docent, for the browser tests, set up with the steps the plugin's
 * README gives a site owner: build the site with docusaurus-plugin-docent (the fixture in
 * docusaurus-plugin-docent/test/fixture-site: baseUrl `/textbook/`, trailingSlash false, number
 * prefixes, slugs, ids, a released version), `npm run ingest -- --site <site>`, start Docent.
 * - the built site on E2E_DOCS_SITE_PORT under `/textbook/`, as a static host would;
 * - a Docent of its own on E2E_DOCS_DOCENT_PORT holding only this site's pages.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildApp } from '../server/src/app.js';
import { loadConfig } from '../server/src/config.js';
import { E2E_DOCS_DOCENT_PORT, E2E_DOCS_SITE_PORT } from './ports.js';

const SITE_DIR = fileURLToPath(new URL('../docusaurus-plugin-docent/test/fixture-site/', import.meta.url));
const BASE_URL = '/textbook/';
const siteOrigin = `http://localhost:${E2E_DOCS_SITE_PORT}`;
const docentOrigin = `http://localhost:${E2E_DOCS_DOCENT_PORT}`;
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'docent-e2e-docusaurus-'));
const outDir = join(SITE_DIR, 'build');
const run = promisify(execFile);
const quietly = { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, DOCUSAURUS_TELEMETRY_DISABLED: '1' } };

// 1. The plugin as a site installs it (its built package), 2. the site's own `npm run build`.
await run('npm', ['run', 'build:plugin'], { ...quietly, cwd: REPO_ROOT });
const docusaurus = join(createRequire(import.meta.url).resolve('@docusaurus/core/package.json'), '../bin/docusaurus.mjs');
await run(process.execPath, [docusaurus, 'build', SITE_DIR, '--no-minify'], { ...quietly, env: { ...quietly.env, DOCENT_SERVER: docentOrigin, NODE_ENV: 'production' } });
// 3. Docent reads the build's manifest (all versions: the tests ask about the next version's pages).
// Only what this Docent needs: CI exports DATABASE_URL and REDIS_URL for other suites, and this
// Docent's embedded database must be where the ingest writes.
const ingestEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
await run('npm', ['run', 'ingest', '--', '--site', SITE_DIR, '--versions', 'all'], { ...quietly, cwd: REPO_ROOT, env: ingestEnv });
// 4. Docent serves readers from what was ingested.
const app = await buildApp(
  loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: 'warn', CORS_ORIGINS: siteOrigin, PORT: String(E2E_DOCS_DOCENT_PORT), RATE_LIMIT_CHAT_PER_MINUTE: '100000' }),
);
await app.listen({ port: E2E_DOCS_DOCENT_PORT, host: '127.0.0.1' });

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.xml': 'application/xml',
};

/** Like a static host with `trailingSlash: false` pages: `/textbook/docs/x` is `docs/x.html`. */
function builtFile(urlPath: string): string | undefined {
  if (!urlPath.startsWith(BASE_URL)) return undefined;
  const relativePath = normalize(decodeURIComponent(urlPath.slice(BASE_URL.length)));
  if (relativePath.startsWith('..')) return undefined;
  const candidates = [join(outDir, relativePath), join(outDir, `${relativePath}.html`), join(outDir, relativePath, 'index.html')];
  return candidates.find((file) => existsSync(file) && statSync(file).isFile());
}

const server = createServer((request, response) => {
  const file = builtFile((request.url ?? '/').split(/[?#]/)[0] ?? '/');
  if (file === undefined) {
    response.writeHead(404, { 'content-type': TYPES['.html'] }).end(readFileSync(join(outDir, '404.html')));
    return;
  }
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
server.listen(E2E_DOCS_SITE_PORT, '127.0.0.1');
console.log(`e2e Docusaurus site ready: ${siteOrigin}${BASE_URL} with Docent ${docentOrigin}`);

const stop = () => {
  server.close();
  void app.close().then(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
