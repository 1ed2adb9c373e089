/**
 * What a newcomer sees when `npm test` finds no usable PostgreSQL: one line saying why and how to
 * fix it, the PostgreSQL suites skipped, everything else run — not a wall of connection errors and
 * `undefined.close()` from the cleanup of suites that never started.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { postgresProblem } from '../../test/postgres-preflight.js';
import { POSTGRES_ADMIN_URL, POSTGRES_MISSING } from './helpers/postgres.js';
import { freePort } from './helpers/chat.js';

const run = promisify(execFile);

describe('npm test without a usable PostgreSQL', () => {
  it('names the problem and the fix', async () => {
    const port = await freePort();
    expect(await postgresProblem(`postgres://postgres:secret@127.0.0.1:${port}/test`)).toMatch(
      new RegExp(`^cannot connect to postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/test \\(.*ECONNREFUSED.*\\); start PostgreSQL or set DATABASE_URL$`),
    );
  });

  it.skipIf(POSTGRES_MISSING !== undefined)('finds nothing wrong with the PostgreSQL this suite runs on', async () => {
    expect(await postgresProblem(POSTGRES_ADMIN_URL)).toBeUndefined();
  });

  it('says so once, skips the PostgreSQL suites and runs the rest; CI refuses', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/test`, CI: '' };
    delete env.DOCENT_TEST_POSTGRES_MISSING;
    const { stdout } = await run('npx', ['vitest', 'run', 'server/test/database.test.ts'], { env, timeout: 120_000 });
    expect(stdout.match(/PostgreSQL suites skipped: cannot connect/g)?.length).toBe(2);
    expect(stdout).toMatch(/\n\d+ passed, 0 failed, 3 skipped\n/);
    expect(stdout).not.toMatch(/ECONNREFUSED.*\n.*at /);
    const refused = await run('npx', ['vitest', 'run', 'server/test/database.test.ts'], { env: { ...env, CI: 'true' }, timeout: 120_000 }).catch((error: { stdout: string; stderr: string; code: number }) => error);
    expect('code' in refused && refused.code).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toContain('CI must run them');
  }, 240_000);
});
