import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteClusterIfMissing } from '../src/db/pglite-memory.js';

describe('creating the embedded database cluster in a child process', () => {
  const root = mkdtempSync(join(tmpdir(), 'docent-cluster-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates a cluster PGlite can open, and leaves an existing one alone', async () => {
    const directory = join(root, 'pglite');
    await createPgliteClusterIfMissing(directory);
    expect(existsSync(join(directory, 'PG_VERSION'))).toBe(true);
    const started = performance.now();
    await createPgliteClusterIfMissing(directory);
    expect(performance.now() - started).toBeLessThan(1_000);
  }, 60_000);

  it('fails with the reason when the folder cannot be created, instead of hanging', async () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, 'not a folder');
    await expect(createPgliteClusterIfMissing(join(blocker, 'pglite'))).rejects.toThrow(/creating the embedded database in .* failed/);
  }, 60_000);
});
