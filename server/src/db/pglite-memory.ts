import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pgliteTemplatePath } from './pglite-template-path.js';

/**
 * PGlite runs PostgreSQL inside this process, and every page PostgreSQL touches stays in the
 * WebAssembly memory, which never shrinks. PostgreSQL's stock shared_buffers (128 MB) is sized for a
 * server; the embedded course database is a few megabytes (tens at 20k passages), and pages it does
 * not keep are one file read away in the OS page cache. Measured with bench/memory.ts: the idle
 * server went from 441 to 316–332 MiB with 16 MB. Also the initdb-time setting, so the first
 * start's catalog pages are not spread over 128 MB either.
 */
export const PGLITE_START_PARAMS: string[] = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB', '-c', 'maintenance_work_mem=16MB'];

/** Writes an empty cluster to `target` (gzip tar), atomically: an interrupted build leaves none. */
export async function writePgliteTemplate(target: string): Promise<void> {
  const database = await PGlite.create({ startParams: PGLITE_START_PARAMS });
  const archive = await database.dumpDataDir('gzip');
  await database.close();
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(`${target}.partial`, Buffer.from(await archive.arrayBuffer()));
  renameSync(`${target}.partial`, target);
}

/**
 * A first start creates the cluster: from the build-time template when there is one, else with
 * initdb. Either way in a short-lived child process: PGlite leaves its throwaway WebAssembly
 * instances resident long after (about 400 MiB in this process until V8 collected them; in a
 * worker thread ~200 MiB stayed with the allocator), and a child's memory all goes back to the
 * system when it exits, before the server loads anything else. The child runs plain CommonJS: it
 * needs no TypeScript loader, compiled or not.
 */
export async function createPgliteClusterIfMissing(directory: string, templatePath?: string): Promise<void> {
  if (existsSync(join(directory, 'PG_VERSION'))) return;
  const pglitePath = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  // Looked up only here: an existing cluster (every start but the first) needs no template.
  const candidate = templatePath ?? pgliteTemplatePath();
  const template = existsSync(candidate) ? candidate : null;
  const source = `
    const [pglitePath, directory, startParams, template] = JSON.parse(process.argv[1]);
    const loadDataDir = template === null ? undefined : new Blob([require('node:fs').readFileSync(template)]);
    require(pglitePath).PGlite.create(directory, { startParams, loadDataDir }).then((db) => db.close()).then(
      () => process.exit(0),
      (error) => { console.error(error instanceof Error ? error.message : String(error)); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', source, JSON.stringify([pglitePath, directory, PGLITE_START_PARAMS, template])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2_000)));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`creating the embedded database in ${directory} failed (exit code ${code}): ${errors.trim()}`);
}
