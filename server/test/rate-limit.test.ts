import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { captureLogs, startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { createFreshPostgresDatabase, POSTGRES_MISSING } from './helpers/postgres.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A question the server refuses cheaply (400): the limit counts requests before their content. */
const chat = (test: TestApp) => test.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { message: '' } });

/** Signs up with verification off (auto sign-in) and returns the session cookie. */
async function signUp(test: TestApp, email: string): Promise<string> {
  const response = await test.app.inject({ method: 'POST', url: '/api/auth/sign-up/email', payload: { name: 'Lin', email, password: 'correct horse battery' } });
  expect(response.statusCode).toBe(200);
  return `docent.session_token=${response.cookies.find((cookie) => cookie.name === 'docent.session_token')?.value ?? ''}`;
}

const signedInChat = (test: TestApp, cookie: string) => test.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { message: '' }, headers: { cookie } });

async function forgetCounters(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys('docent-rate-limit:*');
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}

describe('chat rate limit', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    await Promise.all(apps.map((test) => test.close()));
  });
  const start = async (env: Record<string, string>, logDestination?: { write(line: string): void }) => {
    const test = await startTestApp('pglite', { RATE_LIMIT_CHAT_PER_MINUTE: '20', ...env }, logDestination ? { logDestination } : {});
    apps.push(test);
    return test;
  };

  it('answers the 21st request in a minute with 429, Retry-After and the request ID', async () => {
    const test = await start({});
    for (let request = 1; request <= 20; request += 1) expect((await chat(test)).statusCode).toBe(400);
    const limited = await chat(test);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const body = limited.json<{ error: { code: string; message: string; request_id: string } }>();
    expect(body.error.code).toBe('rate_limited');
    expect(body.error.request_id).toBe(limited.headers['x-request-id']);
    expect(body.error.message).toMatch(/at most 20 per minute/);
    // Other routes are not limited by the chat limit.
    expect((await test.app.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('shares one limit across two instances through Redis', async () => {
    const first = await start({ REDIS_URL });
    const second = await start({ REDIS_URL });
    for (const instance of [first, second]) await untilCountingInRedis(instance);
    for (let request = 1; request <= 10; request += 1) expect((await chat(first)).statusCode).toBe(400);
    for (let request = 1; request <= 10; request += 1) expect((await chat(second)).statusCode).toBe(400);
    expect((await chat(first)).statusCode).toBe(429);
    expect((await chat(second)).statusCode).toBe(429);
    await forgetCounters();
  });

  it('lets requests through with a warning and a metric when Redis is unreachable', async () => {
    const logs = captureLogs();
    const test = await start({ REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'warn' }, logs);
    for (let request = 1; request <= 25; request += 1) expect((await chat(test)).statusCode).toBe(400);
    await expect.poll(() => logs.text()).toContain('rate-limit store (Redis) unreachable');
    const metrics = await test.app.inject({ url: '/metrics/prometheus' });
    expect(Number(/docent_rate_limit_store_errors_total (\d+)/.exec(metrics.body)?.[1])).toBeGreaterThan(0);
  });

  it.skipIf(POSTGRES_MISSING !== undefined)('shares the per-address ceiling of signed-in readers across two instances through Redis', async () => {
    // Two instances of one deployment: one database (so sessions hold on both), one Redis, one key.
    const database = await createFreshPostgresDatabase();
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL,
      SECRET_KEY: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8',
      RATE_LIMIT_CHAT_PER_MINUTE: '3',
      RATE_LIMIT_CHAT_PER_ADDRESS_PER_MINUTE: '4',
      RATE_LIMIT_AUTH_PER_MINUTE: '100',
      REQUIRE_EMAIL_VERIFICATION: 'false',
    };
    const [first, second] = await Promise.all([0, 1].map(async () => {
      const config = testConfig(env);
      return { app: await buildApp(config), config, close: async () => undefined };
    }));
    if (!first || !second) throw new Error('two instances expected');
    apps.push({ ...first, close: async () => first.app.close() }, { ...second, close: async () => second.app.close().then(database.drop) });
    for (const instance of [first, second]) await untilCountingInRedis(instance);

    const one = await signUp(first, 'one@example.test');
    const two = await signUp(second, 'two@example.test');
    for (const [instance, cookie] of [[first, one], [second, one], [first, two], [second, two]] as const) expect((await signedInChat(instance, cookie)).statusCode).toBe(400);
    // Each account has asked twice of its 3; the address has reached its 4, counted on both instances.
    for (const instance of [first, second]) expect((await signedInChat(instance, one)).statusCode).toBe(429);
    await forgetCounters();
  });

  it('lets signed-in readers past the per-address ceiling with a warning and a metric when Redis is unreachable', async () => {
    const logs = captureLogs();
    const test = await start({ REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'warn', RATE_LIMIT_CHAT_PER_ADDRESS_PER_MINUTE: '2', REQUIRE_EMAIL_VERIFICATION: 'false' }, logs);
    const cookie = await signUp(test, 'lin@example.test');
    for (let request = 1; request <= 5; request += 1) expect((await signedInChat(test, cookie)).statusCode).toBe(400);
    await expect.poll(() => logs.text()).toContain('rate-limit store (Redis) unreachable');
    const metrics = await test.app.inject({ url: '/metrics/prometheus' });
    expect(Number(/docent_rate_limit_store_errors_total (\d+)/.exec(metrics.body)?.[1])).toBeGreaterThan(0);
  });

  it('recovers by itself when Redis comes back', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    const test = await start({ REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_CHAT_PER_MINUTE: '3' });
    // Limited once the instance has connected to Redis.
    await expect.poll(async () => (await chat(test)).statusCode).toBe(429);

    await stopRedis(redis);
    // Fail open: the outage does not lock readers out.
    await expect.poll(async () => (await chat(test)).statusCode).toBe(400);

    redis = await startRedis(port); // empty: counting starts again
    await expect.poll(async () => (await chat(test)).statusCode, { timeout: 15_000 }).toBe(429);
    await stopRedis(redis);
  });
});

/** An instance limits through Redis once it has connected: wait until its requests are counted there. */
async function untilCountingInRedis(test: TestApp): Promise<void> {
  const redis = new Redis(REDIS_URL);
  await expect
    .poll(async () => {
      await forgetCounters();
      await chat(test);
      return (await redis.keys('docent-rate-limit:*')).length;
    })
    .toBeGreaterThan(0);
  redis.disconnect();
  await forgetCounters();
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A private Redis for the outage test, so the shared one stays up for everything else. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  // Ready when it answers PING (ioredis retries the connection until then).
  const client = new Redis(port, '127.0.0.1', { retryStrategy: () => 50, maxRetriesPerRequest: null });
  client.on('error', () => undefined);
  await client.ping();
  client.disconnect();
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
