import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * PGlite runs PostgreSQL inside this process, and every page PostgreSQL touches stays in the
 * WebAssembly memory, which never shrinks. PostgreSQL's stock shared_buffers (128 MB) is sized for a
 * server; the embedded course database is a few megabytes (tens at 20k passages), and pages it does
 * not keep are one file read away in the OS page cache. Measured with bench/memory.ts: the idle
 * server went from 441 to 316–332 MiB with 16 MB. Also the initdb-time setting, so the first
 * start's catalog pages are not spread over 128 MB either.
 */
export const PGLITE_START_PARAMS: string[] = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB', '-c', 'maintenance_work_mem=16MB'];

/**
 * A first start creates the cluster (initdb), which PGlite does with two throwaway WebAssembly
 * instances. Done in this process, about 400 MiB stayed resident long after (until V8 collected
 * them; in a worker thread, ~200 MiB still stayed with the allocator). Done in a short-lived child
 * process, all of it goes back to the system when the child exits, before the server loads anything
 * else. The child runs plain CommonJS: it needs no TypeScript loader, compiled or not.
 */
export async function createPgliteClusterIfMissing(directory: string): Promise<void> {
  if (existsSync(join(directory, 'PG_VERSION'))) return;
  const pglitePath = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const source = `
    const [pglitePath, directory, startParams] = JSON.parse(process.argv[1]);
    require(pglitePath).PGlite.create(directory, { startParams }).then((db) => db.close()).then(
      () => process.exit(0),
      (error) => { console.error(error instanceof Error ? error.message : String(error)); process.exit(1); });`;
  const child = spawn(process.execPath, ['-e', source, JSON.stringify([pglitePath, directory, PGLITE_START_PARAMS])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2_000)));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`creating the embedded database in ${directory} failed (exit code ${code}): ${errors.trim()}`);
}
