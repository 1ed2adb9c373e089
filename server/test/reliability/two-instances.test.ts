/**
 * Drill: two Docent processes behind one (pretend) load balancer, sharing one PostgreSQL database
 * and one Redis. Expected: a reader's rate limit is one limit across both, however their requests
 * are spread; and readers whose turns alternate between the instances, all at once, end with
 * every question and every acknowledged answer stored exactly once, in order, and both instances
 * show the same conversation.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadMessagesSchema } from '@docent/protocol';
import { createFreshPostgresDatabase, POSTGRES_MISSING, type ProvisionedPostgres } from '../helpers/postgres.js';
import { ask, ingestDrillCourse, QUESTIONS, startDocent, type ChatOutcome, type DocentProcess } from './support/drill.js';
import { reportFigure } from './support/report.js';
import { createThrowawayRedis, type ThrowawayRedis } from './support/throwaway-redis.js';

const LIMIT = 20;
const READERS = 8;
const TURNS = 12;

describe.skipIf(POSTGRES_MISSING !== undefined)('two instances sharing PostgreSQL and Redis', { timeout: 120_000 }, () => {
  let database: ProvisionedPostgres;
  let redis: ThrowawayRedis;
  let instances: DocentProcess[] = [];

  beforeAll(async () => {
    database = await createFreshPostgresDatabase();
    redis = await createThrowawayRedis();
    await redis.start();
    // One secret, so a visitor cookie from one instance is valid on the other; one proxy hop, so
    // each reader is told apart by X-Forwarded-For as behind a real load balancer.
    const env = { DATABASE_URL: database.url, REDIS_URL: redis.url, SECRET_KEY: 'drill-secret-'.repeat(4), TRUST_PROXY: '1', RATE_LIMIT_CHAT_PER_MINUTE: String(LIMIT) };
    await ingestDrillCourse(env);
    instances = await Promise.all([startDocent(env), startDocent(env)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await redis?.crash();
    await database?.drop();
  });

  const from = (address: string) => ({ 'x-forwarded-for': address });

  it('applies one rate limit across both instances', async () => {
    const requests = 3 * LIMIT;
    const outcomes = await Promise.all(
      Array.from({ length: requests }, (_, index) => ask(instances[index % 2]?.url ?? '', { message: QUESTIONS[index % QUESTIONS.length] ?? '' }, undefined, from('203.0.113.7'))),
    );
    const answered = outcomes.filter((outcome) => outcome.status === 200);
    const limited = outcomes.filter((outcome) => outcome.status === 429);
    expect(answered.length).toBe(LIMIT);
    expect(limited.length).toBe(requests - LIMIT);
    // Both instances both answered and refused: the count really was shared, not split.
    for (const instance of instances) {
      expect(answered.some((outcome) => outcome.requestId && instance.logLines().some((line) => line.request_id === outcome.requestId))).toBe(true);
      expect(limited.some((outcome) => outcome.requestId && instance.logLines().some((line) => line.request_id === outcome.requestId))).toBe(true);
    }
    reportFigure('two_instances_rate_limit', { requests_at_once: requests, limit: LIMIT, answered: answered.length, refused_429: limited.length });
  });

  it('stores every turn of readers alternating between instances exactly once, in order', async () => {
    const conversations = await Promise.all(
      Array.from({ length: READERS }, async (_, reader) => {
        let cookie: string | undefined;
        let threadId: string | undefined;
        const turns: { question: string; outcome: ChatOutcome }[] = [];
        for (let turn = 0; turn < TURNS; turn += 1) {
          const question = `${QUESTIONS[(reader + turn) % QUESTIONS.length]} (reader ${reader}, turn ${turn})`;
          const instance = instances[(reader + turn) % 2] as DocentProcess;
          const outcome = await ask(instance.url, { message: question, ...(threadId ? { thread_id: threadId } : {}) }, cookie, from(`198.51.100.${reader + 1}`));
          cookie = outcome.cookie;
          threadId = outcome.threadId ?? threadId;
          turns.push({ question, outcome });
        }
        return { reader, cookie, threadId, turns };
      }),
    );

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      for (const { cookie, threadId, turns } of conversations) {
        expect(turns.every(({ outcome }) => outcome.done && outcome.threadId === threadId)).toBe(true);
        const stored = await client.query<{ id: string; role: string; content: string; status: string }>(
          'select id, role, content, status from messages where thread_id = $1 order by created_at, role desc',
          [threadId],
        );
        // Question, answer, question, answer… exactly the turns asked, nothing twice, nothing missing.
        expect(stored.rows.map((row) => row.role)).toEqual(turns.flatMap(() => ['user', 'assistant']));
        expect(stored.rows.filter((row) => row.role === 'user').map((row) => row.content)).toEqual(turns.map((turn) => turn.question));
        expect(stored.rows.filter((row) => row.role === 'assistant').map((row) => [row.id, row.content, row.status])).toEqual(
          turns.map(({ outcome }) => [outcome.done?.messageId, outcome.done?.answer, 'complete']),
        );
        // Either instance shows the reader the same conversation.
        const [first, second] = await Promise.all(
          instances.map(async (instance) => threadMessagesSchema.parse(await (await fetch(`${instance.url}/api/v1/threads/${threadId}/messages`, { headers: { cookie: cookie ?? '' } })).json())),
        );
        expect(first?.messages.map((message) => message.id)).toEqual(stored.rows.map((row) => row.id));
        expect(second).toEqual(first);
      }
      const total = await client.query<{ stored: string; repeated_questions: string }>(
        `select count(*) as stored, count(*) filter (where role = 'user') - count(distinct content) filter (where role = 'user') as repeated_questions
         from messages where thread_id = any($1)`,
        [conversations.map((conversation) => conversation.threadId)],
      );
      const stored = Number(total.rows[0]?.stored);
      reportFigure('two_instances_messages', {
        readers: READERS,
        turns_each: TURNS,
        messages_expected: READERS * TURNS * 2,
        messages_stored: stored,
        questions_stored_twice: Number(total.rows[0]?.repeated_questions),
        messages_lost: READERS * TURNS * 2 - stored,
      });
    } finally {
      await client.end();
    }
  });
});
