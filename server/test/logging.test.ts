import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { captureLogs, startTestApp, testConfig } from './helpers/app.js';

const BEARER = 'tok_live_9f8e7d6c5b4a';
const COOKIE_VALUE = 'sess-abcdef0123456789';
const DB_PASSWORD = 'pg-pass-XYZ-4711';

describe('structured logs', () => {
  it('writes one JSON event per line, each request line carrying its request_id', async () => {
    const logs = captureLogs();
    const testApp = await startTestApp('pglite', { LOG_LEVEL: 'info' }, { logDestination: logs });
    const before = Date.now();
    try {
      await testApp.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'trace-me-1' } });
      await testApp.app.inject({ method: 'GET', url: '/missing', headers: { 'x-request-id': 'trace-me-2' } });
    } finally {
      await testApp.close();
    }
    const lines = logs.text().trim().split('\n');
    expect(lines.every((line) => typeof JSON.parse(line) === 'object')).toBe(true);
    const completed = logs.lines.filter((event) => event.msg === 'request completed');
    expect(completed.map((event) => event.request_id)).toEqual(['trace-me-1', 'trace-me-2']);
    expect(completed[1]).toMatchObject({ level: 'info', method: 'GET', url: '/missing', status_code: 404, remote_address: '127.0.0.1' });
    expect(completed[1]?.response_time_ms).toEqual(expect.any(Number));
    // Each line is stamped with the time it was written, as ISO 8601 (formatted once per millisecond).
    for (const event of completed) {
      expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(String(event.time))).toBeGreaterThanOrEqual(before);
      expect(Date.parse(String(event.time))).toBeLessThanOrEqual(Date.now());
    }
  });

  it('never logs bearer tokens, cookies or query-string secrets', async () => {
    const logs = captureLogs();
    const testApp = await startTestApp('pglite', { LOG_LEVEL: 'debug' }, { logDestination: logs });
    try {
      await testApp.app.inject({
        method: 'GET',
        url: `/health?token=${BEARER}&page=2`,
        headers: {
          authorization: `Bearer ${BEARER}`,
          cookie: `docent_session=${COOKIE_VALUE}`,
          'x-api-key': BEARER,
          'user-agent': 'vitest',
        },
      });
    } finally {
      await testApp.close();
    }
    const text = logs.text();
    expect(text).toContain('vitest');
    expect(text).toContain('page=2');
    expect(text).not.toContain(BEARER);
    expect(text).not.toContain(COOKIE_VALUE);
    expect(text).toContain('[REDACTED]');
  });

  it('never logs the database password, even when the database fails', async () => {
    const logs = captureLogs();
    const config = testConfig({ LOG_LEVEL: 'debug', DATABASE_URL: `postgres://docent:${DB_PASSWORD}@127.0.0.1:1/docent` });
    const app = await buildApp(config, { logDestination: logs });
    try {
      const response = await app.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(503);
    } finally {
      await app.close();
    }
    const text = logs.text();
    expect(text).toContain('database unreachable');
    expect(text).toContain('postgres://docent:[REDACTED]@127.0.0.1:1/docent');
    expect(text).not.toContain(DB_PASSWORD);
  });

  it('never logs the parameters of a failed database query (they carry session and reset tokens)', async () => {
    const logs = captureLogs();
    const testApp = await startTestApp('pglite', { LOG_LEVEL: 'info' }, { logDestination: logs });
    const sessionToken = 'sess-Qm9vYmFy-4242';
    try {
      const failure = await testApp.app.database.db.execute(sql`select * from no_such_sessions where token = ${sessionToken}`).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      testApp.app.log.error({ err: failure }, 'the database failed while answering');
    } finally {
      await testApp.close();
    }
    const event = logs.lines.find((line) => line.msg === 'the database failed while answering');
    expect(JSON.stringify(event)).toContain('no_such_sessions');
    expect(logs.text()).not.toContain(sessionToken);
  });

  it('redacts secret-named fields anywhere in an event but keeps counts', async () => {
    const logs = captureLogs();
    const testApp = await startTestApp('pglite', { LOG_LEVEL: 'info' }, { logDestination: logs });
    try {
      testApp.app.log.info(
        { user: { password: 'hunter2', profile: { api_key: 'k-123', refresh_token: 'r-456' } }, usage: { total_tokens: 42 } },
        'signed in with redis://:redispass@cache:6379',
      );
    } finally {
      await testApp.close();
    }
    const event = logs.lines.find((line) => typeof line.msg === 'string' && line.msg.startsWith('signed in'));
    expect(event).toMatchObject({
      user: { password: '[REDACTED]', profile: { api_key: '[REDACTED]', refresh_token: '[REDACTED]' } },
      usage: { total_tokens: 42 },
      msg: 'signed in with redis://:[REDACTED]@cache:6379',
    });
  });
});
