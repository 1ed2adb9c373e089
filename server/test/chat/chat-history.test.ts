import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { messages } from '../../src/db/schema.js';
import { DATABASE_BACKENDS } from '../helpers/app.js';
import { POSTGRES_MISSING } from '../helpers/postgres.js';
import { answerText, eventOf, postChat, readEvents, startChatServer, type ChatServer } from '../helpers/chat.js';

async function ask(server: ChatServer, message: string, cookie?: string) {
  const call = await postChat(server.url, { message }, cookie ? { cookie } : {});
  const { events } = await readEvents(call.response);
  const thread = eventOf(events, 'thread')?.data;
  return { cookie: call.cookie ?? '', threadId: thread?.thread_id ?? '', answerId: thread?.message_id ?? '', events };
}

describe.each(DATABASE_BACKENDS)('chat history and feedback ($name)', ({ name }) => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startChatServer(name);
  });
  afterAll(async () => {
    await server?.close();
  });

  const call = (method: string, path: string, cookie: string | undefined, body?: unknown) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it("keeps each visitor's threads to themselves: another visitor's ids read as missing", async () => {
    const alice = await ask(server, 'What is the support polygon?');
    const bob = await ask(server, 'What is a prismatic joint?');
    // A cookie whose signature does not match is no identity at all.
    const forged = `docent_visitor=${encodeURIComponent(alice.cookie.split('=')[1]?.split('.')[0] ?? '')}.forged`;

    for (const intruder of [bob.cookie, forged, undefined]) {
      expect((await call('GET', `/api/v1/threads/${alice.threadId}/messages`, intruder)).status).toBe(404);
      expect((await call('DELETE', `/api/v1/threads/${alice.threadId}`, intruder)).status).toBe(404);
      expect((await call('POST', `/api/v1/messages/${alice.answerId}/feedback`, intruder, { rating: 'down' })).status).toBe(404);
      const continued = await postChat(server.url, { thread_id: alice.threadId, message: 'more please' }, intruder ? { cookie: intruder } : {});
      expect(continued.response.status).toBe(404);
    }
    const bobsList = (await (await call('GET', '/api/v1/threads', bob.cookie)).json()) as { threads: { id: string }[] };
    expect(bobsList.threads.map((thread) => thread.id)).toEqual([bob.threadId]);
    expect((await call('GET', `/api/v1/threads/${alice.threadId}/messages`, alice.cookie)).status).toBe(200);
  });

  it('stores feedback on an answer, replaces it when rated again, and validates it', async () => {
    const reader = await ask(server, 'What is the linear inverted pendulum model?');
    const up = await call('POST', `/api/v1/messages/${reader.answerId}/feedback`, reader.cookie, { rating: 'up' });
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ message_id: reader.answerId, rating: 'up', comment: null });
    const down = await call('POST', `/api/v1/messages/${reader.answerId}/feedback`, reader.cookie, { rating: 'down', comment: 'Too short' });
    expect(await down.json()).toEqual({ message_id: reader.answerId, rating: 'down', comment: 'Too short' });

    const thread = (await (await call('GET', `/api/v1/threads/${reader.threadId}/messages`, reader.cookie)).json()) as { messages: { id: string; feedback: string | null }[] };
    expect(thread.messages.map((message) => message.feedback)).toEqual([null, 'down']);

    for (const body of [{ rating: 'meh' }, {}, { rating: 'up', comment: 'x'.repeat(2_001) }]) {
      const refused = await call('POST', `/api/v1/messages/${reader.answerId}/feedback`, reader.cookie, body);
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    }
    // Only answers can be rated: the reader's own question cannot.
    const questionId = thread.messages[0]?.id ?? '';
    expect((await call('POST', `/api/v1/messages/${questionId}/feedback`, reader.cookie, { rating: 'up' })).status).toBe(404);
    expect((await call('POST', '/api/v1/messages/not-a-uuid/feedback', reader.cookie, { rating: 'up' })).status).toBe(400);
  });

  it('deletes a thread with its messages', async () => {
    const reader = await ask(server, 'What is footstep planning?');
    expect((await call('DELETE', `/api/v1/threads/${reader.threadId}`, reader.cookie)).status).toBe(204);
    expect((await call('GET', `/api/v1/threads/${reader.threadId}/messages`, reader.cookie)).status).toBe(404);
    expect(await server.app.database.db.select().from(messages).where(eq(messages.threadId, reader.threadId))).toEqual([]);
  });
});

describe.skipIf(POSTGRES_MISSING !== undefined)('chat under load (PostgreSQL)', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startChatServer('postgres');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('stores every one of 50 concurrent exchanges exactly once', async () => {
    const questions = Array.from({ length: 50 }, (_, index) => `Question ${index}: how does the zero moment point keep a humanoid balanced?`);
    const results = await Promise.all(questions.map((question) => ask(server, question)));
    const done = results.map((result) => eventOf(result.events, 'done')?.data.message_id);
    expect(done.filter(Boolean)).toHaveLength(50);

    const rows = await server.app.database.db.select().from(messages);
    const answers = rows.filter((row) => row.role === 'assistant');
    const asked = rows.filter((row) => row.role === 'user');
    expect(answers).toHaveLength(50);
    expect(asked.map((row) => row.content).sort()).toEqual([...questions].sort());
    for (const [index, result] of results.entries()) {
      const stored = answers.find((row) => row.id === done[index]);
      expect(stored).toMatchObject({ status: 'complete', threadId: result.threadId, content: answerText(result.events) });
    }
  });
});

describe('chat when the vector store is down', () => {
  it('answers from full-text search with a notice instead of failing', async () => {
    const server = await startChatServer('pglite');
    const dataDir = server.config.dataDir;
    await server.app.close();
    // Same database (course catalog included), but dense search now goes to a Qdrant nobody runs.
    const degraded = await buildApp(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', QDRANT_URL: 'http://127.0.0.1:9' }));
    try {
      const url = await degraded.listen({ port: 0, host: '127.0.0.1' });
      const { response } = await postChat(url, { message: 'What is the zero moment point?' });
      const { events } = await readEvents(response);
      expect(eventOf(events, 'notice')?.data.code).toBe('lexical_only');
      expect(eventOf(events, 'sources')?.data.sources[0]?.url).toBe('/docs/control/locomotion-and-balance#the-zero-moment-point-and-the-zmp-criterion');
      expect(answerText(events)).toContain('[1]');
      expect(eventOf(events, 'done')).toBeDefined();
    } finally {
      await degraded.close();
      await server.close().catch(() => undefined);
    }
  });
});
