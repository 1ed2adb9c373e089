/**
 * The reader's questionnaire (`profile`) is checked the same way wherever it can be sent: at
 * sign-up (for a taken address as for a new one) and through better-auth's update-user.
 */
import { errorResponseSchema, meResponseSchema } from '@docent/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

const BAD_PROFILES: Record<string, unknown> = {
  'an unknown answer': { software_experience: 'wizard' },
  'an unknown 200 KB field': { notes: 'x'.repeat(200_000) },
  'not an object': 'not an object',
};

function accountsApp(requireEmailVerification: boolean) {
  let test: TestApp;
  beforeAll(async () => {
    test = await startTestApp('pglite', { REQUIRE_EMAIL_VERIFICATION: String(requireEmailVerification), RATE_LIMIT_AUTH_PER_MINUTE: '1000' });
  });
  afterAll(() => test?.close());
  const post = (url: string, payload: unknown, cookie?: string) =>
    test.app.inject({ method: 'POST', url, payload: payload as object, headers: { origin: 'http://localhost:3000', ...(cookie ? { cookie } : {}) } });
  return {
    post,
    signUp: (email: string, profile?: unknown) => post('/api/auth/sign-up/email', { name: 'Robin', email, password: 'correct horse battery', ...(profile === undefined ? {} : { profile }) }),
    get: (url: string, cookie: string) => test.app.inject({ method: 'GET', url, headers: { cookie } }),
  };
}

describe('sign-up with a malformed profile (email verification on: a taken address must look like a new one)', () => {
  const { signUp } = accountsApp(true);
  beforeAll(async () => {
    expect((await signUp('taken@example.test')).statusCode).toBe(200);
  });

  it.each(Object.keys(BAD_PROFILES))('refuses %s alike for a taken and a new address', async (name) => {
    const profile = BAD_PROFILES[name];
    const taken = await signUp('taken@example.test', profile);
    const fresh = await signUp(`fresh-${Math.random().toString(36).slice(2)}@example.test`, profile);
    for (const response of [taken, fresh]) {
      expect(response.statusCode).toBe(400);
      const { error } = errorResponseSchema.parse(response.json());
      expect(error.code).toBe('validation_failed');
      expect(error.fields?.[0]?.field).toMatch(/^body\.profile/);
    }
    expect(taken.json<{ error: { message: string } }>().error.message).toBe(fresh.json<{ error: { message: string } }>().error.message);
  });

});

describe('update-user with a malformed profile', () => {
  const { post, signUp, get } = accountsApp(false);

  it('is refused, and /me keeps working', async () => {
    const signedUp = await signUp('lin@example.test', { software_experience: 'beginner' });
    const session = signedUp.cookies.find((cookie) => cookie.name === 'docent.session_token');
    const cookie = `docent.session_token=${session?.value ?? ''}`;
    for (const profile of Object.values(BAD_PROFILES)) {
      const response = await post('/api/auth/update-user', { profile }, cookie);
      expect(response.statusCode).toBe(400);
      expect(errorResponseSchema.parse(response.json()).error.code).toBe('validation_failed');
    }
    const me = await get('/api/v1/me', cookie);
    expect(me.statusCode).toBe(200);
    expect(meResponseSchema.parse(me.json()).account?.profile).toEqual({ software_experience: 'beginner' });
    // A well-formed one is still accepted there.
    expect((await post('/api/auth/update-user', { profile: { learning_goal: 'Build a walking robot' } }, cookie)).statusCode).toBe(200);
  });
});
