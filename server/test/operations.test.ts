import { createServer, type Server } from 'node:net';
import { healthResponseSchema, metricsResponseSchema } from '@docent/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { ApiTokenStore } from '../src/auth/api-tokens.js';
import { DATABASE_BACKENDS, startTestApp, testConfig, type TestApp } from './helpers/app.js';

describe.each(DATABASE_BACKENDS)('GET /health on $name', ({ name }) => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp(name);
  });
  afterAll(() => testApp?.close());

  it('reports ok with the database connected and whole-second uptime', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    const body = healthResponseSchema.parse(response.json());
    expect(body).toEqual({ status: 'ok', database: 'connected', uptime_seconds: expect.any(Number) });
    expect(Number.isInteger(body.uptime_seconds)).toBe(true);
  });
});

describe('GET /health when PostgreSQL is unreachable', () => {
  it('answers 503 degraded when nothing listens on the database port', async () => {
    const config = testConfig({ DATABASE_URL: 'postgres://docent:pw@127.0.0.1:1/docent' });
    const app = await buildApp(config);
    try {
      const response = await app.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(503);
      expect(healthResponseSchema.parse(response.json())).toMatchObject({ status: 'degraded', database: 'disconnected' });
    } finally {
      await app.close();
    }
  });

  it('answers readers 503 database_unavailable with the request ID, not a generic failure', async () => {
    const app = await buildApp(testConfig({ DATABASE_URL: 'postgres://docent:pw@127.0.0.1:1/docent' }));
    try {
      for (const request of [
        { method: 'POST' as const, url: '/api/v1/chat', payload: { message: 'What is a URDF file?' } },
        { method: 'GET' as const, url: '/api/v1/search?q=urdf' },
      ]) {
        const response = await app.inject({ ...request, headers: { 'x-request-id': 'outage-check-1' } });
        expect(response.statusCode).toBe(503);
        expect(response.json()).toEqual({ error: { code: 'database_unavailable', message: expect.stringContaining('temporarily unavailable') as string, request_id: 'outage-check-1' } });
      }
    } finally {
      await app.close();
    }
  });

  it('answers 503 within about a second when the database accepts but never answers', async () => {
    const silentServer: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', resolve));
    const address = silentServer.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const app = await buildApp(testConfig({ DATABASE_URL: `postgres://docent@127.0.0.1:${address.port}/docent` }));
    try {
      const started = performance.now();
      const response = await app.inject({ method: 'GET', url: '/health' });
      const elapsed = performance.now() - started;
      expect(response.statusCode).toBe(503);
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(2_000);
    } finally {
      await app.close();
      silentServer.close();
    }
  });
});

describe('metrics', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp('pglite', { SECRET_KEY: 'metrics-test-secret-value-that-is-long-enough' });
  });
  afterAll(() => testApp?.close());

  async function metrics() {
    const response = await testApp.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    return { body: metricsResponseSchema.parse(response.json()), raw: response.body };
  }

  it('counts requests, client errors and response times', async () => {
    const before = (await metrics()).body;
    await testApp.app.inject({ method: 'GET', url: '/health' });
    await testApp.app.inject({ method: 'GET', url: '/health' });
    await testApp.app.inject({ method: 'GET', url: '/missing' });
    const after = (await metrics()).body;
    // The first /metrics call and the three requests in between have all completed.
    expect(after.total_requests - before.total_requests).toBe(4);
    expect(after.client_error_count - before.client_error_count).toBe(1);
    expect(after.error_count).toBe(0);
    expect(after.error_rate).toBe(0);
    expect(after.response_time_ms.p50).toBeGreaterThan(0);
    expect(after.response_time_ms.p99).toBeGreaterThanOrEqual(after.response_time_ms.p50);
  });

  it('never exposes configuration or secrets', async () => {
    const { raw } = await metrics();
    expect(raw).not.toContain('metrics-test-secret-value');
    expect(raw).not.toContain(testApp.config.dataDir);
    expect(raw).not.toMatch(/secret|password|database_url|postgres:/i);
  });

  it('serves Prometheus text with an HTTP duration histogram by route and status', async () => {
    await testApp.app.inject({ method: 'GET', url: '/health' });
    const response = await testApp.app.inject({ method: 'GET', url: '/metrics/prometheus' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const lines = response.body.split('\n').filter((line) => line !== '');
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? -?([0-9.e+-]+|[Nn][Aa][Nn]|\+Inf|-Inf)$/; // Prometheus parses floats with Go's ParseFloat: NaN in any case.
    for (const line of lines) {
      if (line.startsWith('#')) expect(line).toMatch(/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/);
      else expect(line).toMatch(sample);
    }
    const healthCount = lines.find((line) =>
      line.startsWith('docent_http_request_duration_seconds_count{') && line.includes('route="/health"') && line.includes('status_code="200"'),
    );
    expect(Number(healthCount?.split(' ').pop())).toBeGreaterThanOrEqual(1);
  });
});

describe('API documentation', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp('pglite');
  });
  afterAll(() => testApp?.close());

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{ openapi: string; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>();
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/metrics', '/metrics/prometheus']));
    expect(JSON.stringify(document.paths['/health']?.get?.responses['200'])).toContain('uptime_seconds');
  });

  it('serves the documentation UI at /api/docs without third-party requests', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('swagger-ui');
    expect(response.body).not.toMatch(/src="https?:\/\//);
  });
});

describe('operator pages behind an API token (PRIVATE_OPERATOR_PAGES=true)', () => {
  let testApp: TestApp;
  let readToken: string;
  beforeAll(async () => {
    testApp = await startTestApp('pglite', { PRIVATE_OPERATOR_PAGES: 'true' });
    readToken = (await new ApiTokenStore(testApp.app.database.db).create({ name: 'prometheus', scopes: ['read'] })).token;
  });
  afterAll(() => testApp?.close());

  it.each(['/metrics', '/metrics/prometheus', '/api/docs', '/api/docs/json'])('%s needs a read token', async (url) => {
    const refused = await testApp.app.inject({ url });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: { code: 'unauthorized', request_id: refused.headers['x-request-id'] } });
    const admitted = await testApp.app.inject({ url, headers: { authorization: `Bearer ${readToken}` } });
    expect([200, 302]).toContain(admitted.statusCode);
  });

  it('keeps /health public for load balancers', async () => {
    expect((await testApp.app.inject({ url: '/health' })).statusCode).toBe(200);
  });
});

describe('operator pages by default', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await startTestApp('pglite');
  });
  afterAll(() => testApp?.close());

  it('stay public, as monitoring set up for earlier versions expects', async () => {
    expect((await testApp.app.inject({ url: '/metrics' })).statusCode).toBe(200);
    expect((await testApp.app.inject({ url: '/api/docs/json' })).statusCode).toBe(200);
  });
});
