import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ingestCourse } from '@docent/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { runDoctor } from '../../src/ops/doctor.js';
import { freshDatabaseConfig, temporaryDirectory, type TestDatabaseTarget } from '../helpers/app.js';
import { CHAT_TEST_CHAPTERS, freePort } from '../helpers/chat.js';
import { startMailbox } from '../helpers/mailbox.js';
import { POSTGRES_MISSING } from '../helpers/postgres.js';
import { BUNDLED_COURSE_DIR, DOCS_ROUTE_BASE } from '../../src/knowledge/bundled-course.js';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const STRONG_SECRET = '3f9a1c7e5b2d8f40a6c1e9b7d3f5a2c8e4b6d0f1a3c5e7b9d2f4a6c8e0b1d3f5';

function doctorProcess(env: Record<string, string>): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'server/src/cli/doctor.ts'], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout });
    });
  });
}

// Its database checks (pgvector, migrations) are PostgreSQL's.
describe.skipIf(POSTGRES_MISSING !== undefined)('npm run doctor', () => {
  let target: TestDatabaseTarget;
  let mailbox: Awaited<ReturnType<typeof startMailbox>>;
  let production: Record<string, string>;
  beforeAll(async () => {
    mailbox = await startMailbox();
    target = await freshDatabaseConfig('postgres');
    // A deployed database: migrated by a first start, with the course ingested.
    const app = await buildApp(target.config);
    const docs = temporaryDirectory();
    for (const chapter of CHAT_TEST_CHAPTERS) {
      mkdirSync(dirname(join(docs.path, chapter)), { recursive: true });
      copyFileSync(join(BUNDLED_COURSE_DIR, chapter), join(docs.path, chapter));
    }
    await ingestCourse({ docsDir: docs.path, routeBase: DOCS_ROUTE_BASE, reset: false, dryRun: false }, app.knowledge);
    docs.remove();
    await app.close();
    production = {
      NODE_ENV: 'production',
      DATA_DIR: target.config.dataDir,
      DATABASE_URL: target.config.databaseUrl ?? '',
      SECRET_KEY: STRONG_SECRET,
      CORS_ORIGINS: 'https://course.example.com',
      PUBLIC_URL: 'https://docent.example.com',
      REDIS_URL,
      SMTP_URL: mailbox.url,
    };
  }, 120_000);
  afterAll(async () => {
    await target?.cleanup();
    await mailbox?.close();
  });

  it('passes a healthy production deployment, one ✓ line per check, exit 0', async () => {
    const { code, stdout } = await doctorProcess(production);
    expect(stdout).not.toContain('✗');
    expect(stdout).toMatch(/✓ SECRET_KEY is set and strong \(64 bytes\)/);
    expect(stdout).toMatch(/✓ database connection to 127\.0\.0\.1 is local/);
    expect(stdout).toMatch(/✓ vector store \(pgvector\) holds \d+ vectors of 512 dimensions/);
    expect(stdout).toMatch(/✓ Redis reachable/);
    expect(stdout).toMatch(/✓ SMTP server reachable/);
    expect(stdout).toMatch(/all \d+ checks passed/);
    expect(stdout).not.toContain(STRONG_SECRET);
    expect(code).toBe(0);
  }, 60_000);

  it('names each problem and how to fix it, and exits 1', async () => {
    const closed = await freePort();
    const { code, stdout } = await doctorProcess({
      ...production,
      NODE_ENV: 'development',
      SECRET_KEY: 'a'.repeat(64),
      INTEGRATION_TEST_MODE: 'true',
      REDIS_URL: `redis://127.0.0.1:${closed}`,
      SMTP_URL: `smtp://user:mail-secret@127.0.0.1:${closed}`,
    });
    expect(stdout).toMatch(/✗ SECRET_KEY is weak .*openssl rand -hex 32/);
    expect(stdout).toMatch(/✗ INTEGRATION_TEST_MODE is true/);
    expect(stdout).toMatch(/✗ Redis unreachable/);
    expect(stdout).toMatch(/✗ SMTP server at smtp:\/\/user:\[REDACTED\]@/);
    expect(stdout).not.toContain('mail-secret');
    expect(stdout).toMatch(/4 of \d+ checks failed/);
    expect(code).toBe(1);
  }, 60_000);

  it('reports a configuration the server would refuse', async () => {
    const { code, stdout } = await doctorProcess({ ...production, SECRET_KEY: '' });
    expect(stdout).toMatch(/^✗ configuration: SECRET_KEY must be set in production/);
    expect(code).toBe(1);
  });

  it('checks Qdrant: refused key, missing collection, wrong dimensions, and a good collection', async () => {
    let answer: { status: number; body?: unknown } = { status: 200 };
    const seenKeys: (string | undefined)[] = [];
    const qdrant: Server = createServer((request, response) => {
      seenKeys.push(request.headers['api-key'] as string | undefined);
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body ?? { status: { error: 'x' } }));
    });
    await new Promise<void>((resolve) => qdrant.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(qdrant.address() as AddressInfo).port}`;
    const config = loadConfig({ ...production, QDRANT_URL: url, QDRANT_API_KEY: 'qdrant-key', REDIS_URL: '', SMTP_URL: '', REQUIRE_EMAIL_VERIFICATION: 'false' });
    const qdrantLine = async () => (await runDoctor(config)).find((result) => result.message.startsWith('Qdrant'));
    const collection = (size: number, points: number) => ({ result: { points_count: points, config: { params: { vectors: { size, distance: 'Cosine' } } } } });
    try {
      answer = { status: 403 };
      expect(await qdrantLine()).toEqual({ ok: false, message: expect.stringContaining('refused the API key') as string });
      answer = { status: 404 };
      expect(await qdrantLine()).toEqual({ ok: false, message: expect.stringContaining('no collection "physical_ai_course": run npm run ingest') as string });
      answer = { status: 200, body: collection(384, 180) };
      expect(await qdrantLine()).toEqual({ ok: false, message: expect.stringContaining('384-dimension vectors, the embedder makes 512') as string });
      answer = { status: 200, body: collection(512, 180) };
      expect(await qdrantLine()).toEqual({ ok: true, message: expect.stringContaining('has 180 vectors of 512 dimensions') as string });
      expect(seenKeys.every((key) => key === 'qdrant-key')).toBe(true);
    } finally {
      qdrant.close();
    }
  });
});
