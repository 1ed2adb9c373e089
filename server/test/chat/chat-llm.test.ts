import { eq } from 'drizzle-orm';
import { metricsResponseSchema } from '@docent/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messages } from '../../src/db/schema.js';
import { answerText, eventOf, postChat, readEvents, startChatServer, type ChatServer } from '../helpers/chat.js';
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js';

const QUESTION = { message: "How do I describe a robot's joints?" };

describe('chat answered by an OpenAI-compatible model', () => {
  let fake: FakeOpenAi;
  let server: ChatServer;
  beforeAll(async () => {
    fake = await startFakeOpenAi();
    server = await startChatServer('pglite', {
      LLM_BASE_URL: `${fake.url}/v1`,
      LLM_API_KEY: 'sk-test-key',
      LLM_MODEL: 'test-model',
      LLM_TIMEOUT_SECONDS: '1',
      CHAT_HEARTBEAT_SECONDS: '0.1',
    });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  const storedAnswer = async (messageId: string | undefined) => {
    const [row] = await server.app.database.db.select().from(messages).where(eq(messages.id, messageId ?? ''));
    return row;
  };

  it('streams the model answer, strips citations that point at no source, and records usage', async () => {
    fake.respondWith({
      kind: 'stream',
      chunks: ['A joint connects a parent link to a child link [', '1]. It is not a ', 'banana [9].'],
      usage: { prompt_tokens: 812, completion_tokens: 21, total_tokens: 833 },
    });
    const { response } = await postChat(server.url, QUESTION);
    const { events } = await readEvents(response);
    const answer = answerText(events);
    expect(answer).toBe('A joint connects a parent link to a child link [1]. It is not a banana.');
    const done = eventOf(events, 'done')?.data;
    expect(done?.cited).toEqual([1]);
    expect(done?.usage).toEqual({ prompt_tokens: 812, completion_tokens: 21, total_tokens: 833 });

    // The model was given the numbered sources the reader was shown.
    const sources = eventOf(events, 'sources')?.data.sources ?? [];
    const readerTurn = fake.requests[0]?.body.messages.at(-1)?.content ?? '';
    expect(fake.requests[0]?.body.model).toBe('test-model');
    for (const source of sources) expect(readerTurn).toContain(`[${source.id}] ${source.title}`);

    const row = await storedAnswer(done?.message_id);
    expect(row).toMatchObject({ status: 'complete', content: answer, generator: 'openai-compatible:test-model', totalTokens: 833 });
  });

  it('passes the earlier turns of the thread to the model', async () => {
    fake.respondWith({ kind: 'stream', chunks: ['Joints are described with joint elements [1].'] });
    const first = await postChat(server.url, QUESTION);
    const threadId = eventOf((await readEvents(first.response)).events, 'thread')?.data.thread_id;
    fake.respondWith({ kind: 'stream', chunks: ['They also have limits [1].'] });
    const second = await postChat(server.url, { thread_id: threadId, message: 'And their limits?' }, { cookie: first.cookie });
    await readEvents(second.response);
    const turns = fake.requests[1]?.body.messages.slice(1).map((message) => [message.role, message.content]);
    expect(turns).toEqual([
      ['user', QUESTION.message],
      ['assistant', 'Joints are described with joint elements [1].'],
      ['user', expect.stringMatching(/^Sources:\n[\s\S]*\n\nQuestion: And their limits\?$/)],
    ]);
  });

  it('ends with a user-safe error event when the model is rate limited, and stores the answer as failed', async () => {
    fake.respondWith({ kind: 'status', status: 429, body: { error: { message: 'Rate limit reached for org-secret', type: 'rate_limit' } } });
    const { response } = await postChat(server.url, QUESTION);
    const { events } = await readEvents(response);
    expect(events.map((event) => event.event)).toEqual(['thread', 'sources', 'error']);
    const error = eventOf(events, 'error')?.data;
    expect(error).toEqual({ code: 'answer_service_busy', message: expect.any(String), request_id: response.headers.get('x-request-id') });
    expect(error?.message).not.toContain('org-secret');
    expect(await storedAnswer(eventOf(events, 'thread')?.data.message_id)).toMatchObject({ status: 'failed', content: '' });
  });

  it('keeps what was streamed when the model breaks off midway, says so, and counts it as a failed answer in /metrics', async () => {
    const answersBefore = metricsResponseSchema.parse(await (await fetch(`${server.url}/metrics`)).json()).answers;
    fake.respondWith({ kind: 'break-after', chunks: ['Joints connect ', 'links [1] and '] });
    const { response } = await postChat(server.url, QUESTION);
    const { events } = await readEvents(response);
    // The stream was a 200: without the answer counters an operator would not see this failure.
    expect(response.status).toBe(200);
    const answersAfter = metricsResponseSchema.parse(await (await fetch(`${server.url}/metrics`)).json()).answers;
    expect(answersAfter).toEqual({ ...answersBefore, failed: answersBefore.failed + 1 });
    expect(events.at(-1)).toEqual({ event: 'error', data: expect.objectContaining({ code: 'answer_failed' }) });
    expect(answerText(events)).toBe('Joints connect links [1] and ');
    expect(await storedAnswer(eventOf(events, 'thread')?.data.message_id)).toMatchObject({ status: 'failed', content: 'Joints connect links [1] and ' });
  });

  it('gives up on a silent model after the configured timeout', async () => {
    fake.respondWith({ kind: 'hang' });
    const started = performance.now();
    const { response } = await postChat(server.url, QUESTION);
    const { events, comments } = await readEvents(response);
    expect(eventOf(events, 'error')?.data.code).toBe('answer_timeout');
    expect(performance.now() - started).toBeLessThan(3_000);
    // Heartbeats kept the quiet stream alive meanwhile.
    expect(comments).toBeGreaterThan(3);
  });

  it('answers JSON clients with the error status when the model fails', async () => {
    fake.respondWith({ kind: 'status', status: 500 });
    const { response } = await postChat(server.url, QUESTION, { stream: false });
    expect(response.status).toBe(502);
    const body = (await response.json()) as { error: { code: string; request_id: string } };
    expect(body.error).toMatchObject({ code: 'answer_failed', request_id: response.headers.get('x-request-id') });
  });

  it('stores a partial answer as interrupted when the reader disconnects mid-stream', async () => {
    fake.respondWith({ kind: 'stream', chunks: ['First part [1]. ', 'second ', 'third ', 'fourth ', 'fifth.'], delayMs: 250 });
    const reader = new AbortController();
    const { response } = await postChat(server.url, QUESTION, { signal: reader.signal });
    let messageId: string | undefined;
    await readEvents(response, (event) => {
      if (event.event === 'thread') messageId = event.data.message_id;
      if (event.event === 'delta') reader.abort();
    }).catch(() => undefined);

    let row = await storedAnswer(messageId);
    for (let attempt = 0; attempt < 40 && row?.status === 'streaming'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      row = await storedAnswer(messageId);
    }
    expect(row?.status).toBe('interrupted');
    expect(row?.content.startsWith('First part [1].')).toBe(true);
    expect(row?.content).not.toContain('fifth');
  });
});
