/**
 * Compiles the server and the workspaces it loads (protocol, ingest) from TypeScript to plain
 * JavaScript: `server/src` → `server/dist`, `protocol/src` → `protocol/dist`, `ingest/src` →
 * `ingest/dist`, one .js file per .ts file in the same layout (so paths the code computes from
 * its own location, like `../../drizzle`, hold), plus the non-TypeScript files the code reads.
 * The compiled server runs with `node --conditions=docent-compiled`, which makes `@docent/protocol`
 * and `@docent/ingest` resolve to their dist/ too (see their package.json `exports`).
 *
 * Why esbuild, file by file, and not tsc or a bundle: it is the transform tsx already applies in
 * development and in the tests (the same output semantics), and it compiles everything in well
 * under a second, so `npm start` compiles on every start and never runs stale code. Type checking
 * stays with `npm run typecheck` (part of `npm test`). No bundle: the layout, file names in stack
 * traces and the worker thread's own entry file stay as they are.
 *
 * Plain JavaScript on purpose: it runs before anything is compiled, with no TypeScript loader.
 * In the production image (no sources, no esbuild) there is nothing to compile and it exits at once.
 */
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['protocol', 'ingest', 'server'];

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

const withSources = PACKAGES.filter((name) => existsSync(join(REPO, name, 'src')));
if (withSources.length === 0) process.exit(0); // an installed image: compiled already, no sources

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.error('Cannot compile the server: esbuild is not installed. Run `npm install` first.');
  process.exit(1);
}

const started = performance.now();
let files = 0;
for (const name of withSources) {
  const source = join(REPO, name, 'src');
  const output = join(REPO, name, 'dist');
  rmSync(output, { recursive: true, force: true });
  const all = filesUnder(source);
  const scripts = all.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
  await esbuild.build({
    absWorkingDir: REPO,
    entryPoints: scripts.map((file) => join(source, file)),
    outbase: source,
    outdir: output,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    bundle: false,
    sourcemap: false,
    logLevel: 'warning',
  });
  for (const asset of all.filter((file) => !file.endsWith('.ts'))) cpSync(join(source, asset), join(output, asset));
  files += all.length;
}
if (!process.argv.includes('--quiet')) {
  console.log(`Compiled ${files} files of ${withSources.join(', ')} to JavaScript in ${Math.round(performance.now() - started)} ms`);
}
