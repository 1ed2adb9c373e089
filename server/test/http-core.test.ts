import { errorResponseSchema } from '@docent/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../src/errors.js';
import { startTestApp, type TestApp } from './helpers/app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let testApp: TestApp;

beforeAll(async () => {
  testApp = await startTestApp('pglite', { CORS_ORIGINS: 'https://course.example.com' });
  // Routes that exercise the shared error handling the way product routes will use it.
  const app = testApp.app.withTypeProvider<ZodTypeProvider>();
  app.post(
    '/test/questions',
    { schema: { body: z.object({ message: z.string().min(1).max(20), page: z.object({ url: z.url() }).optional() }) } },
    async (request) => ({ received: request.body.message }),
  );
  app.get('/test/explode', async () => {
    throw new Error('connect ECONNREFUSED postgres://docent:hunter2@db.internal:5432/prod');
  });
  app.get('/test/limited', async () => {
    throw new AppError('rate_limited');
  });
});
afterAll(() => testApp?.close());

function parseError(body: string) {
  return errorResponseSchema.parse(JSON.parse(body)).error;
}

describe('request IDs', () => {
  it('generates a UUID when the client sends none, and echoes it', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/health' });
    expect(response.headers['x-request-id']).toMatch(UUID);
  });

  it.each(['abc', 'trace-1.2:3_x', 'A'.repeat(128)])('accepts a well-formed client ID %#', async (id) => {
    const response = await testApp.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': id } });
    expect(response.headers['x-request-id']).toBe(id);
  });

  it.each(['', 'has space', 'A'.repeat(129), 'semi;colon', 'new\u00e9line', '<script>'])(
    'replaces a malformed client ID %# with a fresh UUID',
    async (id) => {
      const response = await testApp.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': id } });
      expect(response.headers['x-request-id']).toMatch(UUID);
    },
  );

  it('puts the request ID into error bodies', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/no/such/page', headers: { 'x-request-id': 'support-42' } });
    expect(parseError(response.body).request_id).toBe('support-42');
    expect(response.headers['x-request-id']).toBe('support-42');
  });
});

describe('error responses', () => {
  it('answers an unknown route with 404 not_found', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/api/v1/nothing-here?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    const error = parseError(response.body);
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('/api/v1/nothing-here');
  });

  it('answers invalid input with 400 naming every offending field', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/test/questions',
      payload: { message: '', page: { url: 'not-a-url' } },
    });
    expect(response.statusCode).toBe(400);
    const error = parseError(response.body);
    expect(error.code).toBe('validation_failed');
    expect(error.fields?.map((field) => field.field).sort()).toEqual(['body.message', 'body.page.url']);
    expect(error.message).toContain('body.message');
  });

  it('accepts valid input on the same route', async () => {
    const response = await testApp.app.inject({ method: 'POST', url: '/test/questions', payload: { message: 'What is ROS 2?' } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: 'What is ROS 2?' });
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/test/questions',
      headers: { 'content-type': 'application/json' },
      payload: '{"message": "unterminated',
    });
    expect(response.statusCode).toBe(400);
    expect(parseError(response.body).code).toBe('invalid_json');
  });

  it('answers an oversized body with 413 payload_too_large', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/test/questions',
      payload: { message: 'x'.repeat(2 * 1024 * 1024) },
    });
    expect(response.statusCode).toBe(413);
    expect(parseError(response.body).code).toBe('payload_too_large');
  });

  it('answers an unsupported content type with 415', async () => {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/test/questions',
      headers: { 'content-type': 'application/xml' },
      payload: '<message>hi</message>',
    });
    expect(response.statusCode).toBe(415);
    expect(parseError(response.body).code).toBe('unsupported_media_type');
  });

  it('hides unexpected failures behind a generic 500 with no stack or secret', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/test/explode' });
    expect(response.statusCode).toBe(500);
    const error = parseError(response.body);
    expect(error.code).toBe('internal_error');
    expect(response.body).not.toMatch(/hunter2|ECONNREFUSED|postgres:|at .*\.ts/);
  });

  it('maps a catalogued error to its status', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/test/limited' });
    expect(response.statusCode).toBe(429);
    expect(parseError(response.body).code).toBe('rate_limited');
  });
});

describe('CORS', () => {
  it('allows a configured origin, with credentials and the request ID exposed', async () => {
    const response = await testApp.app.inject({
      method: 'OPTIONS',
      url: '/health',
      headers: { origin: 'https://course.example.com', 'access-control-request-method': 'GET' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('https://course.example.com');
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    const simple = await testApp.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://course.example.com' } });
    expect(simple.headers['access-control-expose-headers']).toContain('x-request-id');
  });

  it('gives a foreign origin no CORS permission', async () => {
    const response = await testApp.app.inject({
      method: 'OPTIONS',
      url: '/health',
      headers: { origin: 'https://evil.example.net', 'access-control-request-method': 'GET' },
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});
