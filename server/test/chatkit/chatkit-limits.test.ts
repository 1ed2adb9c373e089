import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer, type ChatServer } from '../helpers/chat.js';
import { startFakeOpenAi, type FakeOpenAi } from '../helpers/fake-openai.js';
import { chatKitClient, finalAnswer, type ChatKitClient } from './chatkit-client.js';

const COURSE_SITE = 'https://course.example.com';
const create = (text: string) => ({ type: 'threads.create', params: { input: { content: [{ type: 'input_text', text }], attachments: [], inference_options: {} } } });

describe('ChatKit requests under the rate limits and CORS of /api/v1/chat', () => {
  let server: ChatServer;
  let chatkit: ChatKitClient;
  beforeAll(async () => {
    server = await startChatServer('pglite', { RATE_LIMIT_CHAT_PER_MINUTE: '2', CORS_ORIGINS: COURSE_SITE, CHATKIT_PATH: '/limited/chatkit' });
    chatkit = chatKitClient(server.url, '/limited/chatkit');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('counts questions against the chat limit, but not reading threads', async () => {
    const first = await chatkit.send(create('What is the support polygon?'));
    expect((await chatkit.send(create('What is a prismatic joint?'), { cookie: first.cookie })).status).toBe(200);
    const refused = await chatkit.send(create('What is a URDF file?'), { cookie: first.cookie });
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ error: { code: 'rate_limited', request_id: refused.requestId } });
    for (let read = 0; read < 3; read += 1) expect((await chatkit.send({ type: 'threads.list', params: {} }, { cookie: first.cookie })).status).toBe(200);
  });

  it('answers preflights and streams to the course site like /api/v1/chat', async () => {
    const preflight = await fetch(`${server.url}/limited/chatkit`, {
      method: 'OPTIONS',
      headers: { origin: COURSE_SITE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(COURSE_SITE);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    const listed = await fetch(`${server.url}/limited/chatkit`, { method: 'POST', headers: { origin: COURSE_SITE, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'threads.list', params: {} }) });
    expect(listed.headers.get('access-control-allow-origin')).toBe(COURSE_SITE);
    expect(listed.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });
});

describe('ChatKit answers from a model: failures and the daily token budget', () => {
  let fake: FakeOpenAi;
  let server: ChatServer;
  let chatkit: ChatKitClient;
  beforeAll(async () => {
    fake = await startFakeOpenAi();
    server = await startChatServer('pglite', { LLM_BASE_URL: `${fake.url}/v1`, LLM_API_KEY: 'sk-test-key', LLM_MODEL: 'test-model', LLM_TIMEOUT_SECONDS: '1', DAILY_TOKEN_BUDGET: '100' });
    chatkit = chatKitClient(server.url);
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it('ends the stream with an error event naming the request ID when the model fails', async () => {
    fake.respondWith({ kind: 'status', status: 500 });
    const failed = await chatkit.send(create("How do I describe a robot's joints?"));
    expect(failed.status).toBe(200);
    const last = failed.events.at(-1);
    expect(last).toMatchObject({ type: 'error', code: 'custom', allow_retry: true });
    expect((last as { message: string }).message).toContain(`(request ID: ${failed.requestId})`);
    expect(finalAnswer(failed.events)).toBeUndefined();
  });

  it("streams the model's answer with its citation, then refuses questions once the day's tokens are spent", async () => {
    fake.respondWith({ kind: 'stream', chunks: ['Joints are described ', 'in URDF [1].'], usage: { prompt_tokens: 90, completion_tokens: 30, total_tokens: 120 } });
    const answered = await chatkit.send(create("How do I describe a robot's joints?"));
    const answer = finalAnswer(answered.events);
    expect(answer?.text).toBe('Joints are described in URDF [1].');
    expect(answer?.annotations).toHaveLength(1);
    // The footnote goes right after Docent's own `[1]` marker.
    expect(answer?.annotations[0]?.index).toBe('Joints are described in URDF [1]'.length);

    const refused = await chatkit.send(create('What is a prismatic joint?'), { cookie: answered.cookie });
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ error: { code: 'token_budget_exhausted', request_id: refused.requestId } });
  });
});
