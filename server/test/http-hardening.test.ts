import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';

let testApp: TestApp;
beforeAll(async () => {
  testApp = await startTestApp('pglite', { CORS_ORIGINS: 'https://course.example.com' });
});
afterAll(async () => {
  await testApp?.close();
});

const VISITOR = 'docent_visitor=anything';
const askWith = (headers: Record<string, string>) =>
  testApp.app.inject({ method: 'POST', url: '/api/v1/chat', headers: { 'content-type': 'application/json', host: 'docent.example.com', ...headers }, payload: { message: '' } });

describe('cross-site request forgery', () => {
  it('refuses a cookie-carrying request from a foreign site, with a code and request ID', async () => {
    const forged: Record<string, string>[] = [
      { cookie: VISITOR, origin: 'https://evil.example.net' },
      { cookie: VISITOR, 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of forged) {
      const response = await askWith(headers);
      expect(response.statusCode).toBe(403);
      const error = response.json<{ error: { code: string; request_id: string } }>().error;
      expect(error.code).toBe('forbidden');
      expect(error.request_id).toBe(response.headers['x-request-id']);
    }
    const deletion = await testApp.app.inject({
      method: 'DELETE',
      url: '/api/v1/threads/00000000-0000-4000-8000-000000000000',
      headers: { cookie: VISITOR, origin: 'https://evil.example.net' },
    });
    expect(deletion.statusCode).toBe(403);
  });

  it('lets through the embedding sites, the server’s own pages, and requests without cookies', async () => {
    // 400: past the origin check, refused for its empty message.
    expect((await askWith({ cookie: VISITOR, origin: 'https://course.example.com' })).statusCode).toBe(400);
    expect((await askWith({ cookie: VISITOR, origin: 'http://docent.example.com' })).statusCode).toBe(400);
    expect((await askWith({ cookie: VISITOR, 'sec-fetch-site': 'same-site' })).statusCode).toBe(400);
    expect((await askWith({ origin: 'https://evil.example.net' })).statusCode).toBe(400);
  });
});

describe('security headers', () => {
  it('sends the usual protective headers on every response', async () => {
    const response = await testApp.app.inject({ url: '/health' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('sends the same headers on refusals and unknown paths, and on every request alike', async () => {
    const probe = await testApp.app.inject({ url: '/health' });
    const protective = Object.keys(probe.headers).filter((name) => /^(x-|strict-|referrer-|cross-origin-|origin-agent)/.test(name) && name !== 'x-request-id');
    expect(protective.length).toBeGreaterThanOrEqual(10);
    const notFound = await testApp.app.inject({ url: '/no/such/page' });
    const refused = await askWith({ cookie: VISITOR, origin: 'https://evil.example.net' });
    expect(notFound.statusCode).toBe(404);
    expect(refused.statusCode).toBe(403);
    for (const response of [notFound, refused, await testApp.app.inject({ url: '/health' })]) {
      for (const name of protective) expect(response.headers[name], name).toBe(probe.headers[name]);
    }
  });

  it('keeps the widget loadable from other sites', async () => {
    const script = await testApp.app.inject({ url: '/widget/docent.js' });
    expect(script.headers['cross-origin-resource-policy']).toBe('cross-origin');
  });
});
