import { errorResponseSchema } from '@docent/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

/** JSON nested this deep (about 400 KB, within the body limit) once made better-auth's side answer 500. */
const DEPTH = 200_000;

describe('deeply nested JSON on the account endpoints', () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await startTestApp('pglite');
  });
  afterAll(() => test?.close());

  it.each([
    ['/api/auth/sign-in/email', `{"email":"lin@example.test","password":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}`],
    ['/api/auth/sign-up/email', `{"name":"Lin","email":"lin@example.test","password":"a long password","profile":${'{"a":'.repeat(DEPTH / 4)}1${'}'.repeat(DEPTH / 4)}}`],
    ['/api/auth/get-session', `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`],
  ])('%s answers 400 with a request ID, not 500', async (url, payload) => {
    const response = await test.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' }, payload });
    expect(response.statusCode).toBe(400);
    const { error } = errorResponseSchema.parse(response.json());
    expect(error.code).toBe('validation_failed');
    expect(error.request_id).toBe(response.headers['x-request-id']);
  });
});
