/**
 * Signing up with an address that already has an account must look exactly like signing up with a
 * new one (the existing owner gets an email instead), or the form tells anyone who has an account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

/** Random or time-dependent values, which differ between any two sign-ups. */
const VARYING_FIELDS = new Set(['id', 'createdAt', 'updatedAt', 'token']);

function withoutVaryingValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutVaryingValues);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, VARYING_FIELDS.has(key) ? '<varies>' : withoutVaryingValues(inner)]));
}

describe('sign-up does not reveal who has an account', () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await startTestApp('pglite', { REQUIRE_EMAIL_VERIFICATION: 'true', RATE_LIMIT_AUTH_PER_MINUTE: '1000' });
  });
  afterAll(async () => {
    await test?.close();
  });
  const signUp = (email: string) =>
    test.app.inject({ method: 'POST', url: '/api/auth/sign-up/email', payload: { name: 'Robin', email, password: 'correct horse battery' } });

  it('answers an existing address exactly as a new one, apart from random values', async () => {
    expect((await signUp('taken@example.test')).statusCode).toBe(200);
    const existing = await signUp('taken@example.test');
    const fresh = await signUp('fresh@example.test');
    expect(existing.statusCode).toBe(fresh.statusCode);
    const shape = (body: string, email: string) => withoutVaryingValues(JSON.parse(body.replaceAll(email, '<email>')));
    expect(shape(existing.body, 'taken@example.test')).toEqual(shape(fresh.body, 'fresh@example.test'));
  });
});
