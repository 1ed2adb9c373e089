import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiTokenStore } from '../../src/auth/api-tokens.js';
import { captureLogs, DATABASE_BACKENDS, startTestApp, type TestApp } from '../helpers/app.js';
import { BrowserSession } from '../helpers/browser-session.js';
import { freePort } from '../helpers/chat.js';
import { startMailbox } from '../helpers/mailbox.js';

const PASSWORD = 'first secret passphrase';
const NEW_PASSWORD = 'second secret passphrase';

async function listening(test: TestApp, port: number): Promise<string> {
  return test.app.listen({ port, host: '127.0.0.1' });
}

describe.each(DATABASE_BACKENDS)('secrets stay out of the logs ($name)', ({ name }) => {
  const logs = captureLogs();
  let mailbox: Awaited<ReturnType<typeof startMailbox>>;
  let test: TestApp;
  let url: string;
  beforeAll(async () => {
    mailbox = await startMailbox();
    const port = await freePort();
    test = await startTestApp(name, { PORT: String(port), SMTP_URL: mailbox.url, LOG_LEVEL: 'debug' }, { logDestination: logs });
    url = await listening(test, port);
  });
  afterAll(async () => {
    await test?.close();
    await mailbox?.close();
  });

  it('never logs passwords, session cookies, verification or reset tokens, or API tokens', async () => {
    const email = `secrets.${name}@example.test`;
    const browser = new BrowserSession(url);
    await browser.post('/api/auth/sign-up/email', { name: 'Sam', email, password: PASSWORD });
    const verification = (await mailbox.next(email)).links[0] ?? '';
    await browser.get(verification);
    const firstSession = browser.cookies.get('docent.session_token') ?? '';
    expect(firstSession).not.toBe('');

    await browser.post('/api/auth/request-password-reset', { email });
    const resetLink = (await mailbox.next(email)).links[0] ?? '';
    const landing = await browser.get(resetLink);
    const resetToken = new URL(landing.headers.get('location') ?? '', url).searchParams.get('token') ?? '';
    expect(resetToken).not.toBe('');
    await fetch(`${url}/account/reset-password`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: resetToken, newPassword: NEW_PASSWORD }) });
    const signedIn = new BrowserSession(url);
    expect((await signedIn.post('/api/auth/sign-in/email', { email, password: NEW_PASSWORD })).status).toBe(200);
    await signedIn.get('/api/v1/me');

    const { token: apiToken } = await new ApiTokenStore(test.app.database.db).create({ name: 'ci', scopes: ['read'] });
    expect((await fetch(`${url}/api/v1/admin/insights`, { headers: { authorization: `Bearer ${apiToken}` } })).status).toBe(200);

    const text = logs.text();
    const verificationToken = new URL(verification).searchParams.get('token') ?? '';
    const secrets = {
      PASSWORD,
      NEW_PASSWORD,
      verificationToken,
      resetToken,
      firstSession: decodeURIComponent(firstSession).split('.')[0] ?? '',
      secondSession: decodeURIComponent(signedIn.cookies.get('docent.session_token') ?? '').split('.')[0] ?? '',
      apiToken,
    };
    for (const [label, secret] of Object.entries(secrets)) {
      expect(secret.length, label).toBeGreaterThan(8);
      expect(text.includes(secret), `${label} must not be logged`).toBe(false);
    }
    // What is logged instead: the emails, each with the request that sent it.
    const sent = logs.lines.filter((line) => line.msg === 'email sent');
    expect(sent.map((line) => line.subject)).toEqual(['Confirm your Docent account', 'Reset your Docent password']);
    for (const line of sent) expect(line.request_id).toEqual(expect.any(String));
  });
});

describe('accounts without a mail server (development)', () => {
  const logs = captureLogs();
  let test: TestApp;
  let url: string;
  beforeAll(async () => {
    const port = await freePort();
    test = await startTestApp('pglite', { PORT: String(port), LOG_LEVEL: 'info' }, { logDestination: logs });
    url = await listening(test, port);
  });
  afterAll(async () => {
    await test?.close();
  });

  it('logs the verification link once, with a note, so a developer can follow it', async () => {
    const browser = new BrowserSession(url);
    const signUp = await browser.post('/api/auth/sign-up/email', { name: 'Dev', email: 'dev@example.test', password: PASSWORD });
    const requestId = signUp.headers.get('x-request-id');
    await expect.poll(() => logs.lines.filter((line) => typeof line.development_link === 'string').length).toBe(1);
    const line = logs.lines.find((entry) => typeof entry.development_link === 'string') ?? {};
    expect(line).toMatchObject({ level: 'info', request_id: requestId, mail_subject: 'Confirm your Docent account', msg: expect.stringContaining('no SMTP_URL configured') as string });
    const link = String(line.development_link);
    const token = new URL(link).searchParams.get('token') ?? '';
    expect(logs.text().split(token).length - 1).toBe(1); // the request log of the click shows [REDACTED]
    expect((await browser.get(link)).status).toBe(302);
    expect(logs.text().split(token).length - 1).toBe(1);
    expect(((await (await browser.get('/api/v1/me')).json()) as { account: { email_verified: boolean } }).account.email_verified).toBe(true);
  });
});

describe('account cookies in production', () => {
  const logs = captureLogs();
  let test: TestApp;
  beforeAll(async () => {
    test = await startTestApp('pglite', {
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      SECRET_KEY: randomBytes(32).toString('hex'),
      CORS_ORIGINS: 'https://course.example.com',
      PUBLIC_URL: 'https://docent.example.com',
      REQUIRE_EMAIL_VERIFICATION: 'false',
    }, { logDestination: logs });
  });
  afterAll(async () => {
    await test?.close();
  });

  it('are Secure, HttpOnly and SameSite=Lax, and refused to a foreign site (CSRF)', async () => {
    const signUp = await test.app.inject({ method: 'POST', url: '/api/auth/sign-up/email', payload: { name: 'Pat', email: 'pat@example.test', password: PASSWORD } });
    expect(signUp.statusCode).toBe(200);
    const header = ([] as string[]).concat(signUp.headers['set-cookie'] ?? []).find((cookie) => cookie.startsWith('__Secure-docent.session_token=')) ?? '';
    expect(header).toMatch(/; Secure/i);
    expect(header).toMatch(/; HttpOnly/i);
    expect(header).toMatch(/; SameSite=Lax/i);
    const cookie = header.split(';')[0] ?? '';
    const me = await test.app.inject({ url: '/api/v1/me', headers: { cookie } });
    expect(me.json()).toMatchObject({ account: { email: 'pat@example.test' } });

    const forged = await test.app.inject({ method: 'POST', url: '/api/auth/sign-out', payload: {}, headers: { cookie, origin: 'https://evil.example.net' } });
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toMatchObject({ error: { code: 'forbidden', request_id: forged.headers['x-request-id'] } });
    const fromCourse = await test.app.inject({ method: 'POST', url: '/api/auth/sign-out', payload: {}, headers: { cookie, origin: 'https://course.example.com' } });
    expect(fromCourse.statusCode).toBe(200);
    expect((await test.app.inject({ url: '/api/v1/threads', headers: { cookie } })).statusCode).toBe(401);
  });

  it('name the visitor cookie __Host- so no sibling subdomain can plant one', async () => {
    const asked = await test.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { message: 'What is a joint?' }, headers: { origin: 'https://course.example.com' } });
    expect(asked.statusCode).toBe(200);
    const header = ([] as string[]).concat(asked.headers['set-cookie'] ?? []).find((cookie) => cookie.includes('docent_visitor=')) ?? '';
    expect(header).toMatch(/^__Host-docent_visitor=/);
    expect(header).toMatch(/; Secure/i);
    expect(header).toMatch(/; Path=\//i);
    expect(header).not.toMatch(/; Domain=/i);
    const value = header.split(';')[0]?.split('=')[1] ?? '';
    const threads = async (cookie: string) => (await test.app.inject({ url: '/api/v1/threads', headers: { cookie } })).json<{ threads: unknown[] }>().threads;
    expect(await threads(`__Host-docent_visitor=${value}`)).toHaveLength(1);
    // The same signed identity under the unprefixed name (as a sibling subdomain could set it) is ignored.
    expect(await threads(`docent_visitor=${value}`)).toEqual([]);
  });

  it('never logs an email link without SMTP, but warns that the email could not be sent', async () => {
    const reset = await test.app.inject({ method: 'POST', url: '/api/auth/request-password-reset', payload: { email: 'pat@example.test' } });
    expect(reset.statusCode).toBe(200);
    await expect.poll(() => logs.text()).toContain('email not sent: SMTP_URL is not configured');
    expect(logs.text()).not.toContain('development_link');
    expect(logs.text()).not.toMatch(/reset-password\/(?!\[REDACTED\])/);
  });

  it('lets the embedding sites delete conversations and edit profiles across origins (CORS preflight)', async () => {
    const preflight = await test.app.inject({ method: 'OPTIONS', url: '/api/v1/me/profile', headers: { origin: 'https://course.example.com', 'access-control-request-method': 'PUT' } });
    expect(preflight.headers['access-control-allow-origin']).toBe('https://course.example.com');
    expect(String(preflight.headers['access-control-allow-methods'])).toMatch(/PUT.*DELETE|DELETE.*PUT/);
  });
});
