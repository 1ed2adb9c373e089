import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type DocentApp } from '../../src/app.js';
import { apiTokens } from '../../src/db/schema.js';
import { DATABASE_BACKENDS, freshDatabaseConfig, type TestDatabaseTarget } from '../helpers/app.js';
import { BrowserSession } from '../helpers/browser-session.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const run = promisify(execFile);

/** `npm run admin -- …` as an operator runs it on the server machine (same database settings). */
async function admin(target: TestDatabaseTarget, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', 'server/src/cli/admin.ts', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', DATA_DIR: target.config.dataDir, LOG_LEVEL: 'warn', ...(target.config.databaseUrl ? { DATABASE_URL: target.config.databaseUrl } : {}) },
  });
}

describe.each(DATABASE_BACKENDS)('API tokens and the admin API ($name)', ({ name }) => {
  let target: TestDatabaseTarget;
  let app: DocentApp;
  let url: string;
  let adminToken: string;
  beforeAll(async () => {
    target = await freshDatabaseConfig(name, { COURSE_DOCS_DIR: fileURLToPath(new URL('../../../course/docs/ros2', import.meta.url)) });
    // Bootstrap: the first token comes from the command line, before the server runs (PGlite is single-process).
    const created = await admin(target, 'create-token', '--name', 'bootstrap', '--scope', 'admin');
    adminToken = created.stdout.trim();
    expect(created.stderr).toMatch(/only time it is shown/);
    app = await buildApp(target.config);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await target?.cleanup();
  });

  const call = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('stores only a hash of each token, and never lists the token itself', async () => {
    expect(adminToken).toMatch(/^dct_[A-Za-z0-9_-]{43}$/);
    const rows = await app.database.db.select().from(apiTokens);
    expect(JSON.stringify(rows)).not.toContain(adminToken);
    const listed = await call('GET', '/api/v1/admin/tokens', adminToken);
    expect(listed.status).toBe(200);
    const body = await listed.text();
    expect(body).not.toContain(adminToken);
    expect(JSON.parse(body)).toMatchObject({ tokens: [{ name: 'bootstrap', scopes: ['admin'], prefix: adminToken.slice(0, 10), revoked_at: null }] });
  });

  it('lets an admin token re-ingest the course in the background', async () => {
    const started = await call('POST', '/api/v1/admin/ingest', adminToken); // no body: the defaults
    expect(started.status).toBe(202);
    expect(await started.json()).toMatchObject({ status: 'running' });
    const again = await call('POST', '/api/v1/admin/ingest', adminToken, {});
    expect(again.status).toBe(409);
    let status: { status: string; chunks: { written: number } | null } = { status: 'running', chunks: null };
    while (status.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = (await (await call('GET', '/api/v1/admin/ingest', adminToken)).json()) as typeof status;
    }
    expect(status.status).toBe('succeeded');
    expect(status.chunks?.written).toBeGreaterThan(0);
    const search = (await (await fetch(`${url}/api/v1/search?q=${encodeURIComponent('URDF robot description')}`)).json()) as { results: { url: string }[] };
    expect(search.results[0]?.url).toMatch(/^\/docs\/urdf-robot-description#/);
  }, 120_000);

  it('creates tokens with scopes: a read token sees insights but cannot change anything', async () => {
    const created = await call('POST', '/api/v1/admin/tokens', adminToken, { name: 'dashboard', scopes: ['read'] });
    expect(created.status).toBe(201);
    const { token, id } = (await created.json()) as { token: string; id: string };
    const insights = await call('GET', '/api/v1/admin/insights?days=1', token);
    expect(insights.status).toBe(200);
    expect(await insights.json()).toMatchObject({ questions: expect.any(Number) as number, feedback: { up: 0, down: 0 }, top_sources: [] });
    for (const forbidden of [call('POST', '/api/v1/admin/ingest', token, {}), call('GET', '/api/v1/admin/tokens', token), call('DELETE', `/api/v1/admin/tokens/${id}`, token)]) {
      const response = await forbidden;
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
  });

  it('refuses missing, unknown, revoked and expired tokens, and cookies, with 401', async () => {
    const created = (await (await call('POST', '/api/v1/admin/tokens', adminToken, { name: 'short-lived', scopes: ['admin'] })).json()) as { token: string; id: string };
    expect((await call('GET', '/api/v1/admin/insights', created.token)).status).toBe(200);
    expect((await call('DELETE', `/api/v1/admin/tokens/${created.id}`, adminToken)).status).toBe(204);
    expect((await call('DELETE', `/api/v1/admin/tokens/${created.id}`, adminToken)).status).toBe(404);

    const expiring = (await (await call('POST', '/api/v1/admin/tokens', adminToken, { name: 'expiring', scopes: ['read'], expires_in_days: 1 })).json()) as { token: string; id: string };
    expect((await call('GET', '/api/v1/admin/insights', expiring.token)).status).toBe(200);
    const { eq } = await import('drizzle-orm');
    await app.database.db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, expiring.id));

    const visitor = new BrowserSession(url);
    await visitor.get('/api/v1/me');
    for (const token of [undefined, 'dct_not-a-real-token', created.token, expiring.token]) {
      for (const path of ['/api/v1/admin/insights', '/api/v1/admin/tokens', '/api/v1/admin/ingest']) {
        const response = await call('GET', path, token);
        expect(response.status).toBe(401);
        expect(((await response.json()) as { error: { code: string; request_id: string } }).error).toMatchObject({ code: 'unauthorized', request_id: response.headers.get('x-request-id') });
      }
    }
  });

  it('lists and revokes tokens from the command line', async () => {
    await app.close();
    try {
      const listed = await admin(target, 'list-tokens');
      expect(listed.stdout).toMatch(/bootstrap .*\[admin\] +active/);
      expect(listed.stdout).toMatch(/short-lived .*revoked/);
      expect(listed.stdout).not.toContain(adminToken);
      const id = /^(\S+) .* bootstrap /m.exec(listed.stdout)?.[1] ?? '';
      expect((await admin(target, 'revoke-token', id)).stdout).toBe(`revoked ${id}\n`);
      await expect(admin(target, 'create-token', '--scope', 'root', '--name', 'x')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--scope') as string });
    } finally {
      app = await buildApp(target.config);
    }
    expect((await app.inject({ method: 'GET', url: '/api/v1/admin/insights', headers: { authorization: `Bearer ${adminToken}` } })).statusCode).toBe(401);
  }, 60_000);
});
