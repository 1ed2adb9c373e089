import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { captureLogs, startTestApp, type TestApp } from './helpers/app.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A question the server refuses cheaply (400): the limit counts requests before their content. */
const chat = (test: TestApp) => test.app.inject({ method: 'POST', url: '/api/v1/chat', payload: { message: '' } });

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
