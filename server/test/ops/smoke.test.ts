import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmoke } from '../../src/ops/smoke.js';
import { freePort, startChatServer, type ChatServer } from '../helpers/chat.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function smoke(...args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'server/src/cli/smoke.ts', ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '' } }, (error, stdout) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout });
    });
  });
}

describe('npm run smoke', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startChatServer('pglite', { CORS_ORIGINS: 'https://course.example.com', RATE_LIMIT_CHAT_PER_MINUTE: '5' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('passes against a healthy server: health, metrics, store, CORS both ways, a cited streamed answer, the rate limit', async () => {
    const { code, stdout } = await smoke(server.url, '--origin', 'https://course.example.com', '--rate-limit', '5');
    expect(stdout).toMatch(/✓ \/health ok, database connected/);
    expect(stdout).toMatch(/✓ \/metrics reachable .* no secrets in it/);
    expect(stdout).toMatch(/✓ vector store connected \(pglite, collection physical_ai_course\)/);
    expect(stdout).toMatch(/✓ CORS preflight from https:\/\/course\.example\.com allowed/);
    expect(stdout).toMatch(/✓ CORS preflight from https:\/\/smoke-test\.invalid refused/);
    expect(stdout).toMatch(/✓ "What is a URDF file\?" answered in [\d.]+ s, streamed, citing \d+ of \d+ sources/);
    expect(stdout).toMatch(/✓ chat rate limit answered 429 after 5 requests \(Retry-After \d+ s\)/);
    expect(stdout).toMatch(/all 7 checks passed/);
    expect(code).toBe(0);
  });

  it('fails, naming what is wrong, when the origin is not allowed and the limit is not the one expected', async () => {
    // This address has spent its allowance above: the next chat request is refused at once.
    const { code, stdout } = await smoke(server.url, '--origin', 'https://not-listed.example.com', '--rate-limit', '50');
    expect(stdout).toMatch(/✗ CORS preflight from https:\/\/not-listed\.example\.com was refused \(expected allowed: is it in CORS_ORIGINS\?\)/);
    expect(stdout).toMatch(/✗ a question was answered 429/);
    expect(stdout).toMatch(/✗ chat rate limit answered 429 after 1 request, expected 50/);
    expect(code).toBe(1);
  });

  it('flags metrics that contain something secret-looking', async () => {
    const leaky = createServer((request, response) => {
      const body = request.url === '/health' ? { status: 'ok', database: 'connected', uptime_seconds: 5 } : { total_requests: 1, error_count: 0, client_error_count: 0, error_rate: 0, response_time_ms: { avg: 1, p50: 1, p95: 1, p99: 1 }, answers: { complete: 0, failed: 0, interrupted: 0, keyword_only: 0 }, uptime_seconds: 5, database: 'postgres://docent:hunter2@db.internal:5432/docent' };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => leaky.listen(0, '127.0.0.1', resolve));
    try {
      const results = await runSmoke({ baseUrl: `http://127.0.0.1:${(leaky.address() as AddressInfo).port}`, allowedOrigin: undefined, rateLimit: 0, question: 'x' });
      expect(results[0]).toMatchObject({ ok: true });
      expect(results[1]).toMatchObject({ ok: false, message: expect.stringContaining('/metrics contains something that looks like a secret') as string });
    } finally {
      leaky.close();
    }
  });

  it('fails when nothing answers at the address', async () => {
    const { code, stdout } = await smoke(`http://127.0.0.1:${await freePort()}`, '--rate-limit', '0');
    expect(stdout).toMatch(/✗ \/health unreachable/);
    expect(stdout).toMatch(/- allowed-origin preflight not tried/);
    expect(code).toBe(1);
  });
});
