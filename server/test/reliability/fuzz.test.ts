/**
 * Bad input, generated: for every endpoint, at least 1,000 requests that break its contract
 * (wrong types, huge and strange strings, deep JSON, malformed bodies and headers). Whatever
 * arrives, the answer is a 4xx JSON error with the request's ID — never a 5xx — and the server
 * keeps answering.
 */
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { chatRequestSchema, createApiTokenRequestSchema, feedbackRequestSchema, MAX_SEARCH_QUERY_LENGTH, readerProfileSchema } from '@docent/protocol';
import { ApiTokenStore } from '../../src/auth/api-tokens.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { reportFigure } from './support/report.js';

const RUNS = 1_000;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Percent-encodes anything, lone surrogates included (as U+FFFD), the way a browser would send it. */
const encode = (value: unknown) => encodeURIComponent(String(value).replace(/[\uD800-\uDFFF]/g, (unit, index: number, text: string) => (isPaired(text, index) ? unit : '\uFFFD')));
const isPaired = (text: string, index: number) => {
  const code = text.charCodeAt(index);
  return code < 0xdc00 ? (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00 : (text.charCodeAt(index - 1) & 0xfc00) === 0xd800;
};
/** Path and query pieces that are not valid percent-encoding at all. */
const malformedEncoding = fc.constantFrom('%', '%E0%A4%A', '%ff%fe', '%C0%AF', '%u0041', '%%', '%00');

/** Unicode edge cases: lone surrogates, zero-width and direction marks, NUL, emoji, combining marks. */
const strangeString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('\u0000', '\uD800', '\uDFFF', '\u200B\u200F\u202E', '🤖'.repeat(50), 'e\u0301'.repeat(100), '"; drop table users; --', '<script>alert(1)</script>', '../../etc/passwd', '%00%ff', ''),
  fc.string({ minLength: 4_001, maxLength: 20_000 }),
);

/** Text of a fine length holding a NUL character, which PostgreSQL cannot store. */
const withNul = fc.tuple(fc.string({ maxLength: 100 }), fc.string({ maxLength: 100 })).map(([before, after]) => `${before}x\u0000${after}`);

/** Any JSON value, including deep nesting. */
const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.integer({ min: 50, max: 2_000 }).map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown),
  fc.integer({ min: 50, max: 2_000 }).map((depth) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown),
);

/**
 * A body that breaks the endpoint's contract: not an object, or an object whose fields are wrong.
 * Random values can land on valid ones (a JSON string "!" is a fine question), so whatever the
 * endpoint's own schema would accept is filtered out.
 */
function brokenObject(fields: Record<string, fc.Arbitrary<unknown>>, contract?: ZodType): fc.Arbitrary<unknown> {
  return fc
    .oneof(anyJson.filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)), fc.record(fields, { requiredKeys: [] }))
    .filter((value) => contract === undefined || !contract.safeParse(value).success);
}

const notUuid = fc.oneof(strangeString, fc.integer(), fc.constant(null), fc.uuid().map((id) => `${id}x`));
/** A path segment that is not a uuid: encoded, or raw malformed percent-encoding. */
const badIdSegment = fc.oneof(notUuid.map(encode), malformedEncoding);

/** Raw bodies: not JSON at all, truncated JSON, JSON with the wrong content type. */
const rawBody = fc.oneof(
  fc.string({ maxLength: 500 }).map((text) => ({ payload: text, contentType: 'application/json' })),
  fc.jsonValue().map((value) => ({ payload: JSON.stringify(value).slice(0, -1), contentType: 'application/json' })),
  fc.jsonValue().map((value) => ({ payload: JSON.stringify(value), contentType: 'text/plain' })),
  fc.constant({ payload: '{"message":', contentType: 'application/json' }),
  // Nested far deeper than any request needs (up to 200,000 levels, within the body size limit).
  fc.integer({ min: 1_000, max: 200_000 }).map((depth) => ({ payload: `{"message":"hi","selection":${'['.repeat(depth)}${']'.repeat(depth)}}`, contentType: 'application/json' })),
);

/** Headers a client could send: odd request IDs, cookies and content types. */
const headers = fc.record(
  {
    'x-request-id': fc.oneof(fc.string({ maxLength: 300 }), fc.constant('a'.repeat(129)), fc.constant('ok-id.1:2')),
    cookie: fc.oneof(fc.string({ maxLength: 200 }), fc.constant('docent_visitor=forged.sig; docent.session_token=nope.nope')),
    accept: fc.constantFrom('text/event-stream', 'application/json', '*/*', ''),
  },
  { requiredKeys: [] },
).map((values) => Object.fromEntries(Object.entries(values).filter(([, value]) => /^[\t\x20-\x7e]*$/.test(value))) as Record<string, string>);

interface Endpoint {
  name: string;
  request: fc.Arbitrary<InjectOptions>;
}

describe('bad input never breaks the server', () => {
  let test: TestApp;
  let adminToken: string;
  beforeAll(async () => {
    test = await startTestApp('pglite', { RATE_LIMIT_CHAT_PER_MINUTE: '1000000', RATE_LIMIT_AUTH_PER_MINUTE: '1000000', RATE_LIMIT_SEARCH_PER_MINUTE: '1000000', LOG_LEVEL: 'silent' });
    adminToken = (await new ApiTokenStore(test.app.database.db).create({ name: 'fuzz', scopes: ['admin'] })).token;
  });
  const casesRun = new Map<string, number>();
  afterAll(async () => {
    await test?.close();
    const cases = [...casesRun.values()].reduce((sum, count) => sum + count, 0);
    reportFigure('fuzz', { endpoints: casesRun.size, bad_requests_sent: cases, fewest_per_endpoint: Math.min(...casesRun.values()), answered_4xx_json_with_request_id: cases });
  });

  const json = (method: InjectOptions['method'], url: string, body: fc.Arbitrary<unknown>, extra: Record<string, string> = {}): fc.Arbitrary<InjectOptions> =>
    fc.tuple(fc.oneof(body.map((value) => ({ payload: JSON.stringify(value) ?? 'null', contentType: 'application/json' })), rawBody), headers).map(([{ payload, contentType }, sent]) => ({
      method,
      url,
      payload,
      headers: { ...sent, ...extra, 'content-type': contentType },
    }));

  const endpoints: Endpoint[] = [
    {
      name: 'POST /api/v1/chat',
      request: json('POST', '/api/v1/chat', brokenObject({ message: fc.oneof(strangeString.filter((text) => text.trim() === '' || text.length > 4_000), withNul, fc.integer(), fc.constant(null), anyJson), thread_id: notUuid, selection: anyJson, page_url: fc.integer() }, chatRequestSchema)),
    },
    {
      name: 'GET /api/v1/search',
      // Either the question is empty, too long or holds a NUL, or k is not a number from 1 to 50.
      request: fc
        .tuple(fc.oneof(fc.constantFrom('', '   '), fc.string({ minLength: MAX_SEARCH_QUERY_LENGTH + 1, maxLength: MAX_SEARCH_QUERY_LENGTH * 3 }), strangeString, withNul), fc.oneof(fc.string({ maxLength: 20 }).filter((k) => !(k.trim() !== '' && Number.isInteger(Number(k)) && Number(k) >= 1 && Number(k) <= 50)), fc.integer({ min: 51 }).map(String), fc.integer({ max: 0 }).map(String)), headers)
        .map(([q, k, sent]) => ({ method: 'GET' as const, url: `/api/v1/search?q=${encode(q)}&k=${encode(k)}`, headers: sent })),
    },
    { name: 'GET /api/v1/threads/:id/messages', request: fc.tuple(badIdSegment, headers).map(([id, sent]) => ({ method: 'GET', url: `/api/v1/threads/${id}/messages`, headers: sent })) },
    { name: 'DELETE /api/v1/threads/:id', request: fc.tuple(badIdSegment, headers).map(([id, sent]) => ({ method: 'DELETE', url: `/api/v1/threads/${id}`, headers: sent })) },
    {
      name: 'POST /api/v1/messages/:id/feedback',
      request: fc.tuple(fc.oneof(badIdSegment, fc.uuid()), json('POST', '/', brokenObject({ rating: fc.oneof(strangeString, fc.integer()), comment: fc.oneof(fc.integer(), fc.string({ minLength: 2_001, maxLength: 5_000 })) }, feedbackRequestSchema))).map(([id, request]) => ({ ...request, url: `/api/v1/messages/${id}/feedback` })),
    },
    { name: 'PUT /api/v1/me/profile', request: json('PUT', '/api/v1/me/profile', brokenObject({ software_experience: strangeString, hardware_experience: fc.integer(), learning_goal: fc.string({ minLength: 501, maxLength: 2_000 }) }, readerProfileSchema)) },
    { name: 'POST /api/auth/sign-up/email', request: json('POST', '/api/auth/sign-up/email', brokenObject({ name: fc.oneof(fc.integer(), fc.constant('')), email: strangeString, password: fc.oneof(fc.string({ maxLength: 7 }), fc.string({ minLength: 129, maxLength: 400 })), profile: anyJson })) },
    { name: 'POST /api/auth/sign-in/email', request: json('POST', '/api/auth/sign-in/email', brokenObject({ email: fc.oneof(strangeString, fc.integer()), password: fc.oneof(fc.integer(), fc.constant(null)) })) },
    { name: 'POST /api/v1/admin/tokens', request: json('POST', '/api/v1/admin/tokens', brokenObject({ name: fc.oneof(fc.integer(), fc.string({ minLength: 101, maxLength: 300 })), scopes: fc.oneof(fc.array(strangeString), fc.constant([])), expires_in_days: fc.oneof(fc.string(), fc.integer({ max: 0 })) }, createApiTokenRequestSchema), { authorization: 'Bearer TOKEN' }) },
    { name: 'GET /api/v1/admin/insights', request: fc.tuple(fc.oneof(strangeString, fc.integer().map(String)), fc.oneof(fc.string({ maxLength: 80 }), fc.constant('Bearer dct_x'))).map(([days, authorization]) => ({ method: 'GET', url: `/api/v1/admin/insights?days=${encode(days)}`, headers: /^[\x20-\x7e]*$/.test(authorization) ? { authorization } : {} })) },
  ];

  it.each(endpoints.map((endpoint) => [`${endpoint.name}: ${RUNS} bad requests`, endpoint] as const))('%s, each a 4xx JSON error with its request ID', async (_name, endpoint) => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(endpoint.request, async (request) => {
        runs += 1;
        const sent = { ...request, headers: Object.fromEntries(Object.entries(request.headers ?? {}).map(([key, value]) => [key, value === 'Bearer TOKEN' ? `Bearer ${adminToken}` : value])) };
        const response = await test.app.inject(sent);
        expect(response.statusCode, `${request.method} ${request.url} → ${response.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${request.method} ${request.url} → ${response.body.slice(0, 300)}`).toBeLessThan(500);
        const body = response.json<{ error?: { code: string; request_id: string } }>();
        expect(body.error?.request_id).toBe(response.headers['x-request-id']);
        expect(String(response.headers['x-request-id'])).toMatch(REQUEST_ID);
      }),
      { numRuns: RUNS },
    );
    expect(runs).toBeGreaterThanOrEqual(RUNS);
    casesRun.set(endpoint.name, runs);
    expect((await test.app.inject({ url: '/health' })).statusCode).toBe(200);
  }, 300_000);
});
