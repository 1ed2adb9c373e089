import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

/**
 * PGlite runs PostgreSQL inside this process, and every page PostgreSQL touches stays in the
 * WebAssembly memory, which never shrinks. PostgreSQL's stock shared_buffers (128 MB) is sized for a
 * server; the embedded course database is a few megabytes (tens at 20k passages), and pages it does
 * not keep are one file read away in the OS page cache. Measured with bench/memory.ts: the idle
 * server went from 441 to about 310 MiB with 16 MB. Also the initdb-time setting, so the first
 * start's catalog pages are not spread over 128 MB either.
 */
export const PGLITE_START_PARAMS: string[] = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB', '-c', 'maintenance_work_mem=16MB'];

/**
 * A first start creates the cluster (initdb), which PGlite does with two throwaway WebAssembly
 * instances: about 400 MiB that stay resident until V8 happens to collect them, well into the first
 * ingest. Created in a worker thread instead, all of it is returned when the worker exits. Plain
 * CommonJS evaluated in the worker: it needs no TypeScript loader, compiled or not.
 */
export async function createPgliteClusterIfMissing(directory: string): Promise<void> {
  if (existsSync(join(directory, 'PG_VERSION'))) return;
  const pglitePath = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { PGlite } = require(workerData.pglitePath);
    PGlite.create(workerData.directory, { startParams: workerData.startParams })
      .then((db) => db.close())
      .then(() => parentPort.postMessage('created'));`;
  const worker = new Worker(source, { eval: true, workerData: { pglitePath, directory, startParams: PGLITE_START_PARAMS } });
  await new Promise<void>((resolve, reject) => {
    let created = false;
    worker.once('message', () => {
      created = true;
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => (created ? resolve() : reject(new Error(`creating the embedded database failed (worker exit code ${code})`))));
  });
}
