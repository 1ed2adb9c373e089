import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../railway.sh', import.meta.url));
const NEON_PASSWORD = 'npg_Zx8neonPassword';
const QDRANT_KEY = 'qdrant-cloud-key-7f3a9';
const SMTP_PASSWORD = 'smtp-pass-41e';
const INPUT = {
  '--database-url': `postgresql://neondb_owner:${NEON_PASSWORD}@ep-cool-field-123456.eu-central-1.aws.neon.tech/neondb?sslmode=require`,
  '--qdrant-url': 'https://a1b2c3.eu-central-1-0.aws.cloud.qdrant.io',
  '--qdrant-api-key': QDRANT_KEY,
  '--cors-origins': 'https://course.example.com, https://docs.example.com',
};

/** A stand-in `railway` on PATH that records each call's arguments (one JSON array per line). */
function fakeRailway(options: { loggedOut?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'docent-railway-'));
  const log = join(dir, 'calls.jsonl');
  writeFileSync(
    join(dir, 'railway'),
    `#!/usr/bin/env bash
node -e 'require("fs").appendFileSync(process.argv[1], JSON.stringify(process.argv.slice(2)) + "\\n")' "${log}" "$@"
case "$1" in
  whoami) ${options.loggedOut ? 'echo "Unauthorized. Please login with railway login" >&2; exit 1' : 'echo "Logged in as Test User (test@example.com)"'} ;;
  domain) echo "Service Domain created:"; echo "🚀 https://docent-production.up.railway.app" ;;
esac
`,
  );
  chmodSync(join(dir, 'railway'), 0o755);
  return {
    dir,
    calls: (): string[][] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as string[]) : []),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

const fakes: { remove(): void }[] = [];
afterAll(() => fakes.forEach((fake) => fake?.remove()));

function deploy(args: string[], options: { env?: Record<string, string>; loggedOut?: boolean } = {}) {
  const fake = fakeRailway(options);
  fakes.push(fake);
  const result = spawnSync('bash', [SCRIPT, ...args], { env: { PATH: `${fake.dir}:${process.env.PATH ?? ''}`, ...options.env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: result.status, output: `${result.stdout}${result.stderr}`, stdout: result.stdout, calls: fake.calls() };
}

const flags = (input: Record<string, string>) => Object.entries(input).flat();
const setVariables = (call: string[] | undefined) => Object.fromEntries((call ?? []).flatMap((arg, index, all) => (all[index - 1] === '--set' ? [arg.split(/=(.*)/s).slice(0, 2)] : [])));

describe('deploy/railway.sh', () => {
  it('sets the variables through the Railway CLI, generates a 256-bit secret, deploys, and prints the next steps', () => {
    const { code, output, stdout, calls } = deploy([...flags(INPUT), '--smtp-url', `smtps://docent:${SMTP_PASSWORD}@smtp.example.com:465`, '--mail-from', 'Docent <docent@example.com>']);
    expect(code).toBe(0);
    expect(calls.map((call) => call[0])).toEqual(['whoami', 'variables', 'domain', 'variables', 'up']);
    const set = setVariables(calls[1]);
    expect(set).toMatchObject({
      NODE_ENV: 'production',
      DATABASE_URL: INPUT['--database-url'],
      QDRANT_URL: INPUT['--qdrant-url'],
      QDRANT_API_KEY: QDRANT_KEY,
      QDRANT_COLLECTION: 'physical_ai_course',
      INTEGRATION_TEST_MODE: 'false',
      CORS_ORIGINS: INPUT['--cors-origins'],
      SMTP_URL: `smtps://docent:${SMTP_PASSWORD}@smtp.example.com:465`,
      TRUST_PROXY: '1',
    });
    expect(set.SECRET_KEY).toMatch(/^[0-9a-f]{64}$/);
    expect(calls[1]).toContain('--skip-deploys');
    expect(setVariables(calls[3])).toEqual({ PUBLIC_URL: 'https://docent-production.up.railway.app' });
    expect(calls[4]).toEqual(['up', '--detach']);
    for (const secret of [set.SECRET_KEY ?? 'unset', NEON_PASSWORD, QDRANT_KEY, SMTP_PASSWORD]) expect(output).not.toContain(secret);
    expect(stdout).toContain('npm run smoke -- https://docent-production.up.railway.app --origin https://course.example.com');
    expect(stdout).toContain('railway run npm run doctor');
  });

  it('takes its input from the environment, and a new secret each time', () => {
    const env = { DATABASE_URL: INPUT['--database-url'], QDRANT_URL: INPUT['--qdrant-url'], QDRANT_API_KEY: QDRANT_KEY, CORS_ORIGINS: 'https://course.example.com' };
    const first = deploy(['--service', 'docent'], { env });
    const second = deploy([], { env });
    expect(first.code).toBe(0);
    expect(first.calls.filter((call) => call[0] !== 'whoami').every((call) => call.join(' ').endsWith('--service docent'))).toBe(true);
    expect(setVariables(first.calls[1]).REQUIRE_EMAIL_VERIFICATION).toBe('false'); // no SMTP: said in the output
    expect(first.stdout).toMatch(/no SMTP_URL/);
    expect(setVariables(first.calls[1]).SECRET_KEY).not.toBe(setVariables(second.calls[1]).SECRET_KEY);
  });

  it.each([
    [{ '--database-url': INPUT['--database-url'].replace('?sslmode=require', '') }, /sslmode=require/],
    [{ '--database-url': 'mysql://user:pw@host/db?sslmode=require' }, /postgresql:\/\/user:password@host\/database/],
    [{ '--qdrant-url': 'http://a1b2c3.cloud.qdrant.io' }, /QDRANT_URL must start with https:\/\//],
    [{ '--cors-origins': 'http://course.example.com' }, /not an https:\/\/ origin/],
    [{ '--qdrant-api-key': '' }, /missing --qdrant-api-key/],
  ])('refuses bad input before touching Railway (%#)', (override, message) => {
    const { code, output, calls } = deploy(flags({ ...INPUT, ...override }));
    expect(code).toBe(2);
    expect(output).toMatch(message);
    expect(calls).toEqual([]);
    expect(output).not.toContain(NEON_PASSWORD);
  });

  it('--dry-run prints every command with secrets masked and runs none', () => {
    const { code, output, stdout, calls } = deploy([...flags(INPUT), '--dry-run']);
    expect(code).toBe(0);
    expect(calls).toEqual([]);
    expect(stdout).toMatch(/^railway variables --set NODE_ENV=production --set DATABASE_URL=REDACTED .*--set SECRET_KEY=REDACTED .*--skip-deploys$/m);
    expect(stdout).toMatch(/^railway up --detach$/m);
    expect(stdout).toContain('QDRANT_URL=https://a1b2c3.eu-central-1-0.aws.cloud.qdrant.io');
    for (const secret of [NEON_PASSWORD, QDRANT_KEY]) expect(output).not.toContain(secret);
  });

  it('stops with a hint when the Railway CLI is not logged in', () => {
    const { code, output, calls } = deploy(flags(INPUT), { loggedOut: true });
    expect(code).toBe(1);
    expect(output).toMatch(/railway login/);
    expect(calls.map((call) => call[0])).toEqual(['whoami']);
  });
});
