import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessions, threads, users } from '../../src/db/schema.js';
import { DATABASE_BACKENDS } from '../helpers/app.js';
import { BrowserSession } from '../helpers/browser-session.js';
import { eventOf, freePort, readEvents, startChatServer, type ChatServer } from '../helpers/chat.js';
import { startMailbox } from '../helpers/mailbox.js';

type Mailbox = Awaited<ReturnType<typeof startMailbox>>;

describe.each(DATABASE_BACKENDS)('reader accounts ($name)', ({ name }) => {
  let server: ChatServer;
  let mailbox: Mailbox;
  let addressCounter = 0;
  beforeAll(async () => {
    mailbox = await startMailbox();
    server = await startChatServer(name, { PORT: String(await freePort()), SMTP_URL: mailbox.url, MAIL_FROM: 'Docent <docent@example.test>' });
  });
  afterAll(async () => {
    await server?.close();
    await mailbox?.close();
  });

  const newEmail = () => `reader${(addressCounter += 1)}.${name}@example.test`;
  const PASSWORD = 'correct horse battery';

  async function ask(browser: BrowserSession, message: string) {
    const response = await browser.request('POST', '/api/v1/chat', { message }, { accept: 'text/event-stream' });
    expect(response.status).toBe(200);
    const { events } = await readEvents(response);
    const thread = eventOf(events, 'thread')?.data;
    expect(eventOf(events, 'done')).toBeDefined();
    return { threadId: thread?.thread_id ?? '', answerId: thread?.message_id ?? '' };
  }

  /** Signs up through the API and follows the link from the email that arrived over SMTP. */
  async function createVerifiedAccount(browser: BrowserSession, email = newEmail()) {
    const signUp = await browser.post('/api/auth/sign-up/email', { name: 'Ada', email, password: PASSWORD, callbackURL: `${server.url}/` });
    expect(signUp.status).toBe(200);
    const mail = await mailbox.next(email);
    expect(mail.subject).toBe('Confirm your Docent account');
    const link = mail.links.find((candidate) => candidate.includes('/api/auth/verify-email'));
    expect(link?.startsWith(`${server.url}/`)).toBe(true);
    const verified = await browser.get(link ?? '');
    expect(verified.status).toBe(302);
    // Back where the reader signed up, marked so the widget there can say they are signed in.
    expect(verified.headers.get('location')).toBe(`${server.url}/?docent_confirmed=1`);
    return email;
  }

  it('signs a reader up, verifies the email received over SMTP, and keeps their chat history under the account', async () => {
    const browser = new BrowserSession(server.url);
    const email = newEmail();
    const signUp = await browser.post('/api/auth/sign-up/email', {
      name: 'Grace',
      email,
      password: PASSWORD,
      profile: { software_experience: 'intermediate', hardware_experience: 'hobbyist', learning_goal: 'Build a walking robot' },
    });
    expect(signUp.status).toBe(200);
    // No session until the address is confirmed.
    expect(await (await browser.get('/api/v1/me')).json()).toEqual({ account: null });
    const refused = await browser.post('/api/auth/sign-in/email', { email, password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('email_not_verified');

    const first = await mailbox.next(email);
    const resent = await mailbox.next(email); // signing in unverified sends a fresh link
    expect(resent.subject).toBe(first.subject);
    const verified = await browser.get(first.links.find((link) => link.includes('verify-email')) ?? '');
    expect(verified.status).toBe(302);

    const me = (await (await browser.get('/api/v1/me')).json()) as { account: { email: string; email_verified: boolean; profile: unknown } };
    expect(me.account).toMatchObject({ email, email_verified: true, profile: { software_experience: 'intermediate', hardware_experience: 'hobbyist', learning_goal: 'Build a walking robot' } });

    // A second browser signs in with the password and finds the conversation.
    const { threadId } = await ask(browser, 'What is the support polygon?');
    const elsewhere = new BrowserSession(server.url);
    const signIn = await elsewhere.post('/api/auth/sign-in/email', { email, password: PASSWORD });
    expect(signIn.status).toBe(200);
    const signInBody = (await signIn.json()) as Record<string, unknown>;
    expect(signInBody).not.toHaveProperty('token'); // the session lives only in the HttpOnly cookie
    expect(signIn.headers.getSetCookie().join('\n')).toMatch(/docent\.session_token=[^;]+;.*HttpOnly.*SameSite=Lax/i);
    const listed = (await (await elsewhere.get('/api/v1/threads')).json()) as { threads: { id: string }[] };
    expect(listed.threads.map((thread) => thread.id)).toEqual([threadId]);
    const [row] = await server.app.database.db.select().from(threads).where(eq(threads.id, threadId));
    const [user] = await server.app.database.db.select().from(users).where(eq(users.email, email));
    expect(row?.userId).toBe(user?.id);
  });

  it('a confirmation link opened in another browser confirms the address but signs nobody in there, and takes nothing (login CSRF)', async () => {
    const attacker = new BrowserSession(server.url);
    const email = newEmail();
    expect((await attacker.post('/api/auth/sign-up/email', { name: 'Mallory', email, password: PASSWORD, callbackURL: `${server.url}/` })).status).toBe(200);
    const link = (await mailbox.next(email)).links.find((candidate) => candidate.includes('/api/auth/verify-email')) ?? '';

    // The victim has an anonymous conversation, then opens the attacker's link (a top-level navigation).
    const victim = new BrowserSession(server.url);
    const asked = await ask(victim, 'What is the zero moment point?');
    const opened = await victim.get(link);
    expect(opened.status).toBe(302);
    expect(((await (await victim.get('/api/v1/me')).json()) as { account: unknown }).account).toBeNull();
    const victimThreads = (await (await victim.get('/api/v1/threads')).json()) as { threads: { id: string }[] };
    expect(victimThreads.threads.map((thread) => thread.id)).toEqual([asked.threadId]);

    // The address is confirmed: the attacker signs in with the password, and finds nothing of the victim's.
    const signedIn = await attacker.post('/api/auth/sign-in/email', { email, password: PASSWORD });
    expect(signedIn.status).toBe(200);
    expect(((await (await attacker.get('/api/v1/threads')).json()) as { threads: unknown[] }).threads).toEqual([]);
  });

  it("moves a visitor's conversations into the account they create, exactly once", async () => {
    const browser = new BrowserSession(server.url);
    const before = await ask(browser, 'How does a robot keep its balance?');
    const visitorCookie = browser.cookies.get('docent_visitor');
    expect(visitorCookie).toBeDefined();

    await createVerifiedAccount(browser);
    expect(browser.cookies.has('docent_visitor')).toBe(false); // the browser is the account's now
    const mine = (await (await browser.get('/api/v1/threads')).json()) as { threads: { id: string }[] };
    expect(mine.threads.map((thread) => thread.id)).toEqual([before.threadId]);

    // The same visitor cookie, replayed into another account's sign-in, brings nothing along.
    const other = new BrowserSession(server.url);
    const otherEmail = await createVerifiedAccount(other);
    await other.post('/api/auth/sign-out');
    other.cookies.set('docent_visitor', visitorCookie ?? '');
    expect(((await (await other.get('/api/v1/threads')).json()) as { threads: unknown[] }).threads).toEqual([]);
    expect((await other.post('/api/auth/sign-in/email', { email: otherEmail, password: PASSWORD })).status).toBe(200);
    expect(((await (await other.get('/api/v1/threads')).json()) as { threads: unknown[] }).threads).toEqual([]);
    expect(((await (await browser.get('/api/v1/threads')).json()) as { threads: unknown[] }).threads).toHaveLength(1);
  });

  it('resets a forgotten password from the emailed link; the old password and old sessions stop working', async () => {
    const browser = new BrowserSession(server.url);
    const email = await createVerifiedAccount(browser);
    const requested = await new BrowserSession(server.url).post('/api/auth/request-password-reset', { email, redirectTo: 'https://elsewhere.example.com/' });
    expect(requested.status).toBe(200);
    const mail = await mailbox.next(email);
    expect(mail.subject).toBe('Reset your Docent password');

    const reader = new BrowserSession(server.url);
    const link = await reader.get(mail.links[0] ?? '');
    expect(link.status).toBe(302);
    const page = new URL(link.headers.get('location') ?? '', server.url);
    expect(page.pathname).toBe('/account/reset-password'); // Docent's own page, whatever redirectTo said
    const form = await (await reader.get(`${page.pathname}${page.search}`)).text();
    expect(form).toContain('Choose a new password');
    const token = page.searchParams.get('token') ?? '';

    const tooShort = await fetch(`${server.url}/account/reset-password`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, newPassword: 'short' }) });
    expect(tooShort.status).toBe(400);
    expect(await tooShort.text()).toContain('8 to 128 characters');
    const changed = await fetch(`${server.url}/account/reset-password`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, newPassword: 'a brand new passphrase' }) });
    expect(changed.status).toBe(200);
    expect(await changed.text()).toContain('Password changed');
    const reused = await fetch(`${server.url}/account/reset-password`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, newPassword: 'yet another passphrase' }) });
    expect(reused.status).toBe(400);

    expect((await browser.get('/api/v1/threads')).status).toBe(401); // signed out everywhere
    const oldPassword = await new BrowserSession(server.url).post('/api/auth/sign-in/email', { email, password: PASSWORD });
    expect(oldPassword.status).toBe(401);
    expect((await new BrowserSession(server.url).post('/api/auth/sign-in/email', { email, password: 'a brand new passphrase' })).status).toBe(200);
  });

  it('a reset ends every other reset link of the account', async () => {
    const email = await createVerifiedAccount(new BrowserSession(server.url));
    const tokenFromMail = async () => {
      const link = await new BrowserSession(server.url).get((await mailbox.next(email)).links[0] ?? '');
      return new URL(link.headers.get('location') ?? '', server.url).searchParams.get('token') ?? '';
    };
    const resetWith = (token: string, newPassword: string) =>
      fetch(`${server.url}/account/reset-password`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, newPassword }) });
    expect((await new BrowserSession(server.url).post('/api/auth/request-password-reset', { email })).status).toBe(200);
    const older = await tokenFromMail();
    expect((await new BrowserSession(server.url).post('/api/auth/request-password-reset', { email })).status).toBe(200);
    const newer = await tokenFromMail();
    expect(newer).not.toBe(older);
    expect((await resetWith(newer, 'the password I chose')).status).toBe(200);
    const replayed = await resetWith(older, 'a password someone else chose');
    expect(replayed.status).toBe(400);
    expect(await replayed.text()).toContain('This link does not work');
    expect((await new BrowserSession(server.url).post('/api/auth/sign-in/email', { email, password: 'the password I chose' })).status).toBe(200);
  });

  it('keeps the profile questionnaire per reader and validates it', async () => {
    const browser = new BrowserSession(server.url);
    await createVerifiedAccount(browser);
    expect(await (await browser.get('/api/v1/me/profile')).json()).toEqual({ profile: {} });
    const put = await browser.request('PUT', '/api/v1/me/profile', { software_experience: 'advanced', learning_goal: 'Teach ROS 2' });
    expect(put.status).toBe(200);
    expect(await (await browser.get('/api/v1/me/profile')).json()).toEqual({ profile: { software_experience: 'advanced', learning_goal: 'Teach ROS 2' } });
    const invalid = await browser.request('PUT', '/api/v1/me/profile', { software_experience: 'wizard' });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string; request_id: string } }).error).toMatchObject({ code: 'validation_failed', request_id: invalid.headers.get('x-request-id') });
    const badSignUp = await new BrowserSession(server.url).post('/api/auth/sign-up/email', { name: 'X', email: newEmail(), password: PASSWORD, profile: { learning_goal: 'x'.repeat(501) } });
    expect(badSignUp.status).toBe(400);
  });

  it("answers another reader's ids with 404 and missing, expired or revoked credentials with 401", async () => {
    const alice = new BrowserSession(server.url);
    await createVerifiedAccount(alice);
    const { threadId, answerId } = await ask(alice, 'What is a joint in URDF?');
    const bob = new BrowserSession(server.url);
    await createVerifiedAccount(bob);
    const bobId = ((await (await bob.get('/api/v1/me')).json()) as { account: { id: string } }).account.id;

    const attempts = (browser: BrowserSession) => [
      browser.get(`/api/v1/threads/${threadId}/messages`),
      browser.request('DELETE', `/api/v1/threads/${threadId}`),
      browser.post(`/api/v1/messages/${answerId}/feedback`, { rating: 'down' }),
      browser.request('POST', '/api/v1/chat', { thread_id: threadId, message: 'and then?' }),
    ];
    for (const response of await Promise.all(attempts(bob))) expect(response.status).toBe(404);
    expect(((await (await bob.get('/api/v1/threads')).json()) as { threads: unknown[] }).threads).toEqual([]);

    // No credentials: account routes refuse; history routes see a visitor with no history.
    const nobody = new BrowserSession(server.url);
    expect((await nobody.get('/api/v1/me/profile')).status).toBe(401);
    expect((await nobody.request('PUT', '/api/v1/me/profile', {})).status).toBe(401);
    for (const response of await Promise.all(attempts(nobody))) expect(response.status).toBe(404);

    // Revoked (signed out, cookie replayed) and expired sessions: 401 on every route, with a request ID.
    const revokedCookies = alice.cookieHeader();
    await alice.post('/api/auth/sign-out');
    await server.app.database.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.userId, bobId));
    const expiredCookies = bob.cookieHeader();
    const browserWith = (cookies: string) => {
      const browser = new BrowserSession(server.url);
      for (const pair of cookies.split('; ')) browser.cookies.set(pair.split('=')[0] ?? '', pair.slice(pair.indexOf('=') + 1));
      return browser;
    };
    for (const stale of [revokedCookies, expiredCookies]) {
      const routes = [...attempts(browserWith(stale)), browserWith(stale).get('/api/v1/threads'), browserWith(stale).get('/api/v1/me/profile')];
      for (const response of await Promise.all(routes)) {
        expect(response.status).toBe(401);
        expect(((await response.json()) as { error: { code: string; request_id: string } }).error).toEqual({
          code: 'unauthorized',
          message: expect.stringContaining('sign in again') as string,
          request_id: response.headers.get('x-request-id'),
        });
      }
      // Told once: the stale cookie is cleared with the 401, and the reader goes on as a visitor.
      const browser = browserWith(stale);
      expect((await browser.get('/api/v1/threads')).status).toBe(401);
      expect(browser.cookies.has('docent.session_token')).toBe(false);
      expect((await browser.get('/api/v1/threads')).status).toBe(200);
      expect(await (await browserWith(stale).get('/api/v1/me')).json()).toEqual({ account: null });
    }
  });

  it('extends a session while the reader keeps using it', async () => {
    const browser = new BrowserSession(server.url);
    await createVerifiedAccount(browser);
    const userId = ((await (await browser.get('/api/v1/me')).json()) as { account: { id: string } }).account.id;
    await server.app.database.db.update(sessions).set({ expiresAt: new Date(Date.now() + 60 * 60 * 1000) }).where(eq(sessions.userId, userId));
    const response = await browser.get('/api/v1/threads');
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie().join('\n')).toMatch(/docent\.session_token=[^;]+;.*Max-Age=604800/);
    const [session] = await server.app.database.db.select().from(sessions).where(eq(sessions.userId, userId));
    expect(session?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 60 * 60 * 1000);
  });

  it('says a wrong password without revealing whether the account exists, and never reveals existing accounts at sign-up', async () => {
    const browser = new BrowserSession(server.url);
    const email = await createVerifiedAccount(browser);
    for (const attempt of [{ email, password: 'not the password' }, { email: newEmail(), password: PASSWORD }]) {
      const response = await new BrowserSession(server.url).post('/api/auth/sign-in/email', attempt);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: unknown }).error).toEqual({ code: 'invalid_credentials', message: 'The email or password is not right.', request_id: response.headers.get('x-request-id') });
    }
    const again = await new BrowserSession(server.url).post('/api/auth/sign-up/email', { name: 'Impostor', email, password: 'another password' });
    expect(again.status).toBe(200);
    const warning = await mailbox.next(email);
    expect(warning.subject).toMatch(/tried to create a Docent account/);
  });
});
