import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { createPgliteClusterIfMissing, PGLITE_START_PARAMS, writePgliteTemplate } from '../src/db/pglite-memory.js';

describe('creating the embedded database cluster in a child process', () => {
  const root = mkdtempSync(join(tmpdir(), 'docent-cluster-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates a cluster PGlite can open, and leaves an existing one alone', async () => {
    const directory = join(root, 'pglite');
    await createPgliteClusterIfMissing(directory, join(root, 'no-template.tar.gz'));
    expect(existsSync(join(directory, 'PG_VERSION'))).toBe(true);
    const started = performance.now();
    await createPgliteClusterIfMissing(directory);
    expect(performance.now() - started).toBeLessThan(1_000);
  }, 60_000);

  it('creates it from the build-time template when there is one, and the database works', async () => {
    const template = join(root, 'template', 'cluster.tar.gz');
    await writePgliteTemplate(template);
    expect(existsSync(template)).toBe(true);
    const directory = join(root, 'from-template');
    await createPgliteClusterIfMissing(directory, template);
    const database = await PGlite.create(directory, { startParams: PGLITE_START_PARAMS });
    try {
      await database.exec('create table lessons (title text); insert into lessons values ($$URDF$$)');
      expect((await database.query<{ title: string }>('select title from lessons')).rows).toEqual([{ title: 'URDF' }]);
    } finally {
      await database.close();
    }
  }, 60_000);

  it('fails with the reason when the folder cannot be created, instead of hanging', async () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, 'not a folder');
    await expect(createPgliteClusterIfMissing(join(blocker, 'pglite'), join(root, 'no-template.tar.gz'))).rejects.toThrow(/creating the embedded database in .* failed/);
  }, 60_000);
});
