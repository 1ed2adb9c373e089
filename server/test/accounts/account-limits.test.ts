import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_BACKENDS, startTestApp, type TestApp } from '../helpers/app.js';
import { eventOf, readEvents, startChatServer, type ChatServer } from '../helpers/chat.js';
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js';

/** Signs up with verification off (auto sign-in) and returns the session cookie. */
async function signUp(send: (request: { url: string; payload: unknown }) => Promise<{ statusCode: number; cookies: { name: string; value: string }[] }>, email: string): Promise<string> {
  const response = await send({ url: '/api/auth/sign-up/email', payload: { name: 'Lin', email, password: 'correct horse battery' } });
  expect(response.statusCode).toBe(200);
  const session = response.cookies.find((cookie) => cookie.name === 'docent.session_token');
  expect(session).toBeDefined();
  return `docent.session_token=${session?.value ?? ''}`;
}

/** POSTs JSON over real HTTP from an address (behind the trusted proxy), with its response cookies. */
async function fetchJson(base: string, request: { url: string; payload: unknown }, address: string): Promise<{ statusCode: number; cookies: { name: string; value: string }[] }> {
  const response = await fetch(`${base}${request.url}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify(request.payload) });
  await response.arrayBuffer();
  const cookies = response.headers.getSetCookie().map((cookie) => {
    const [name = '', value = ''] = (cookie.split(';')[0] ?? '').split(/=(.*)/s);
    return { name, value };
  });
  return { statusCode: response.status, cookies };
}

/** POSTs JSON with the path exactly as given (as `curl --path-as-is` does): fetch would resolve dot segments. */
function postAsIs(base: string, path: string, payload: unknown, headers: Record<string, string>): Promise<{ status: number; body: unknown; requestId: string | undefined }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, path, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as unknown, requestId: response.headers['x-request-id'] as string | undefined }));
    });
    request.on('error', reject);
    request.end(JSON.stringify(payload));
  });
}

describe('limits for signed-in readers', () => {
  let test: TestApp;
  let url: string;
  beforeAll(async () => {
    test = await startTestApp('pglite', { RATE_LIMIT_CHAT_PER_MINUTE: '3', RATE_LIMIT_AUTH_PER_MINUTE: '3', RATE_LIMIT_SEARCH_PER_MINUTE: '3', TRUST_PROXY: 'true', REQUIRE_EMAIL_VERIFICATION: 'false' });
    url = await test.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await test?.close();
  });
  const inject = (request: { url: string; payload: unknown; headers?: Record<string, string> }) =>
    test.app.inject({ method: 'POST', url: request.url, payload: request.payload as object, headers: request.headers ?? {} });
  /** A refused-early question (400): the limit counts requests before their content. */
  const chat = (address: string, cookie?: string) => inject({ url: '/api/v1/chat', payload: { message: '' }, headers: { 'x-forwarded-for': address, ...(cookie ? { cookie } : {}) } });

  it('counts a signed-in reader once wherever they ask from, and anonymous visitors per address', async () => {
    const cookie = await signUp((request) => inject({ ...request, headers: { 'x-forwarded-for': '198.51.100.1' } }), 'lin@example.test');
    expect((await chat('203.0.113.1', cookie)).statusCode).toBe(400);
    expect((await chat('203.0.113.2', cookie)).statusCode).toBe(400);
    expect((await chat('203.0.113.3', cookie)).statusCode).toBe(400);
    expect((await chat('203.0.113.4', cookie)).statusCode).toBe(429);
    // Anonymous readers at one of those addresses have their own allowance.
    expect((await chat('203.0.113.1')).statusCode).toBe(400);
    // Another account behind the same address too.
    const other = await signUp((request) => inject({ ...request, headers: { 'x-forwarded-for': '198.51.100.2' } }), 'kim@example.test');
    expect((await chat('203.0.113.4', other)).statusCode).toBe(400);
  });

  it('counts one IPv6 /64 network as one address, and an IPv4-mapped address as the IPv4 one', async () => {
    expect((await chat('2001:db8:7:1::1')).statusCode).toBe(400);
    expect((await chat('2001:db8:7:1::ffff')).statusCode).toBe(400);
    expect((await chat('2001:0db8:0007:0001:abcd:0:0:1')).statusCode).toBe(400);
    expect((await chat('2001:db8:7:1:1234::9')).statusCode).toBe(429);
    expect((await chat('2001:db8:7:2::1')).statusCode).toBe(400); // the next /64 is someone else
    expect((await chat('198.51.100.99')).statusCode).toBe(400);
    expect((await chat('198.51.100.99')).statusCode).toBe(400);
    expect((await chat('::ffff:198.51.100.99')).statusCode).toBe(400);
    expect((await chat('::ffff:198.51.100.99')).statusCode).toBe(429);
  });

  it('limits searches per reader with a budget of their own, apart from questions', async () => {
    const search = () => test.app.inject({ method: 'GET', url: '/api/v1/search', query: { q: 'joint limits' }, headers: { 'x-forwarded-for': '192.0.2.77' } });
    for (let index = 0; index < 3; index += 1) expect((await search()).statusCode).toBe(200);
    const refused = await search();
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: { code: 'rate_limited', request_id: refused.headers['x-request-id'] } });
    expect(refused.headers['retry-after']).toBeDefined();
    // Questions from the same address still have their own allowance.
    expect((await chat('192.0.2.77')).statusCode).toBe(400);
  });

  it('slows down password guessing per address with a stricter limit', async () => {
    const attempt = (address: string) => inject({ url: '/api/auth/sign-in/email', payload: { email: 'lin@example.test', password: 'guess' }, headers: { 'x-forwarded-for': address } });
    for (let guess = 1; guess <= 3; guess += 1) expect((await attempt('192.0.2.7')).statusCode).toBe(401);
    const limited = await attempt('192.0.2.7');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ error: { code: 'rate_limited', request_id: limited.headers['x-request-id'] } });
    expect((await attempt('192.0.2.8')).statusCode).toBe(401);
  });

  it.each([
    '/api/auth/./sign-in/email',
    '/api/auth/x/../sign-in/email',
    '/api/auth//sign-in/email',
    '/api/auth/sign-in/email/',
    '/api/auth/%2e/sign-in/email',
    '/api/auth/SIGN-IN/email',
    '/api/auth/sign-in%2Femail',
    '/api/auth/./request-password-reset',
  ])('gives %s (sent as is) no more attempts than the limit allows', async (path) => {
    const address = `192.0.2.${100 + path.length}`;
    const statuses: number[] = [];
    for (let guess = 1; guess <= 5; guess += 1) {
      const response = await postAsIs(url, path, { email: 'lin@example.test', password: 'guess' }, { 'x-forwarded-for': address });
      statuses.push(response.status);
      expect(response.body).toMatchObject({ error: { request_id: response.requestId } });
    }
    // Refused as an unknown route, or counted by the real route's limit (3 a minute here).
    expect(statuses.slice(3).every((status) => status === 404 || status === 429)).toBe(true);
  });
});

describe('one address, many accounts', () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await startTestApp('pglite', {
      RATE_LIMIT_CHAT_PER_MINUTE: '3',
      RATE_LIMIT_CHAT_PER_ADDRESS_PER_MINUTE: '5',
      RATE_LIMIT_SEARCH_PER_MINUTE: '3',
      RATE_LIMIT_SEARCH_PER_ADDRESS_PER_MINUTE: '5',
      RATE_LIMIT_AUTH_PER_MINUTE: '100',
      TRUST_PROXY: '1',
      REQUIRE_EMAIL_VERIFICATION: 'false',
    });
  });
  afterAll(async () => {
    await test?.close();
  });
  const signUpAt = (address: string, email: string) =>
    signUp((request) => test.app.inject({ method: 'POST', url: request.url, payload: request.payload as object, headers: { 'x-forwarded-for': address } }), email);
  const routes = {
    /** A refused-early question (400): the limits count requests before their content. */
    chat: (address: string, cookie: string) => test.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { message: '' }, headers: { 'x-forwarded-for': address, cookie } }),
    search: (address: string, cookie: string) => test.app.inject({ method: 'GET', url: '/api/v1/search', query: { q: 'joint limits' }, headers: { 'x-forwarded-for': address, cookie } }),
  };
  const allowed = { chat: 400, search: 200 };

  it.each(['chat', 'search'] as const)('caps %s for all accounts signed in from one address together, each still under its own limit', async (route) => {
    const address = route === 'chat' ? '203.0.113.60' : '203.0.113.61';
    const [one, two, three] = await Promise.all(['one', 'two', 'three'].map((name) => signUpAt(address, `${name}-${route}@example.test`)));
    const send = (cookie: string | undefined) => routes[route](address, cookie ?? '');
    // 2 + 2 + 1: every account under its limit of 3, the address at its ceiling of 5.
    for (const cookie of [one, one, two, two, three]) expect((await send(cookie)).statusCode).toBe(allowed[route]);
    const refused = await send(three);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.stringMatching(/at most 5 per minute/) as string, request_id: refused.headers['x-request-id'] } });
    expect((await send(one)).statusCode).toBe(429);
    // A reader at another address is not affected, nor the same account asking from elsewhere.
    const elsewhere = await signUpAt('198.51.100.60', `four-${route}@example.test`);
    expect((await routes[route]('198.51.100.60', elsewhere)).statusCode).toBe(allowed[route]);
    expect((await routes[route]('198.51.100.61', two ?? '')).statusCode).toBe(allowed[route]);
  });
});

describe.each(DATABASE_BACKENDS)('daily token budget ($name)', ({ name: backend }) => {
  let fake: FakeOpenAi;
  let server: ChatServer;
  beforeAll(async () => {
    fake = await startFakeOpenAi();
    fake.respondWith({ kind: 'stream', chunks: ['Balance comes from the support polygon [1].'], usage: { prompt_tokens: 40, completion_tokens: 20, total_tokens: 60 } });
    // Behind one proxy (as on Railway), so each test asks from addresses of its own.
    server = await startChatServer(backend, { LLM_BASE_URL: `${fake.url}/v1`, LLM_API_KEY: 'sk-test-key', LLM_MODEL: 'test-model', DAILY_TOKEN_BUDGET: '100', TRUST_PROXY: '1', REQUIRE_EMAIL_VERIFICATION: 'false' });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });
  const ask = (address: string, cookie?: string) =>
    fetch(`${server.url}/api/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-forwarded-for': address, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ message: 'How does a humanoid keep its balance?' }),
    });
  /** Asks twice as one new visitor (60 tokens each): 120 of the day's 100, so that visitor is spent. */
  const spendVisitorBudget = async (address: string): Promise<string> => {
    const first = await ask(address);
    const cookie = first.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(eventOf((await readEvents(first)).events, 'done')?.data.usage.total_tokens).toBe(60);
    expect(eventOf((await readEvents(await ask(address, cookie))).events, 'done')).toBeDefined(); // 60 < 100: allowed
    return cookie;
  };
  const expectBudgetRefusal = async (refused: Response) => {
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 60 * 60);
    expect(await refused.json()).toMatchObject({ error: { code: 'token_budget_exhausted', message: expect.stringMatching(/renews at midnight UTC/) as string, request_id: refused.headers.get('x-request-id') } });
  };

  it('refuses answers once a reader has used the day\'s budget, before asking the model, with its own code', async () => {
    const cookie = await spendVisitorBudget('198.51.100.10');
    const modelCalls = fake.requests.length;
    await expectBudgetRefusal(await ask('198.51.100.10', cookie));
    expect(fake.requests.length).toBe(modelCalls);
    // The budget is per reader: someone else (elsewhere) is still answered.
    const other = await ask('198.51.100.11');
    expect(other.status).toBe(200);
    await readEvents(other);
  });

  it('keeps an anonymous reader who drops the visitor cookie to the budget of their address, however it is spelled', async () => {
    await spendVisitorBudget('203.0.113.20');
    const modelCalls = fake.requests.length;
    // No cookie: a brand-new visitor as far as the server can tell, but from the same address.
    await expectBudgetRefusal(await ask('203.0.113.20'));
    await expectBudgetRefusal(await ask('::ffff:203.0.113.20'));
    expect(fake.requests.length).toBe(modelCalls);
    // One IPv6 /64 network is one address too.
    await spendVisitorBudget('2001:db8:20:1::1');
    await expectBudgetRefusal(await ask('2001:db8:20:1::beef'));
    // Another address has its own budget.
    const elsewhere = await ask('203.0.113.21');
    expect(elsewhere.status).toBe(200);
    await readEvents(elsewhere);
  });

  it('budgets an account per account, even at an address whose anonymous budget is spent', async () => {
    await spendVisitorBudget('203.0.113.30');
    const account = await signUp((request) => fetchJson(server.url, request, '203.0.113.30'), 'ada@example.test');
    const answered = await ask('203.0.113.30', account);
    expect(answered.status).toBe(200);
    expect(eventOf((await readEvents(answered)).events, 'done')).toBeDefined();
  });
});
