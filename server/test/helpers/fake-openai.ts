/**
 * A stand-in OpenAI-compatible chat server over real HTTP, so generator and end-to-end tests
 * exercise the real SDK, sockets and SSE parsing. Implements `POST /v1/chat/completions` only;
 * pass `${fake.url}/v1` as the base URL. Each call is answered by the current script (set with
 * `respondWith`, kept until changed): a normal stream, a stream cut midway, an HTTP error, or
 * no answer at all.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export type FakeOpenAiScript =
  /** Streams the chunks as content deltas; `delayMs` waits before every chunk after the first. */
  | { kind: 'stream'; chunks: string[]; usage?: FakeUsage; delayMs?: number }
  /** Streams the chunks, then destroys the socket without finishing the response. */
  | { kind: 'break-after'; chunks: string[] }
  /** Answers with this HTTP status and an OpenAI-style error body (or `body` when given). */
  | { kind: 'status'; status: number; body?: object }
  /** Accepts the request and never answers. */
  | { kind: 'hang' };

export interface FakeChatMessage {
  role: string;
  content: string;
}

/** The parts of a chat completion request Docent sends (the body is recorded as parsed JSON). */
export interface FakeChatRequestBody {
  model: string;
  messages: FakeChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  [field: string]: unknown;
}

export interface FakeChatRequest {
  body: FakeChatRequestBody;
  /** The raw `Authorization` header, e.g. `Bearer test-key`. */
  authorization: string | undefined;
}

export interface FakeOpenAi {
  /** `http://127.0.0.1:<port>`, without `/v1`. */
  url: string;
  /** Every chat completion request received, in order (including refused ones). */
  requests: FakeChatRequest[];
  respondWith(script: FakeOpenAiScript): void;
  /** Stops the server, cutting any open or hanging responses. */
  close(): Promise<void>;
}

export const DEFAULT_FAKE_ANSWER: FakeOpenAiScript = { kind: 'stream', chunks: ['The course covers this ', 'in the first chapter [1].'] };

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const requests: FakeChatRequest[] = [];
  const sockets = new Set<Socket>();
  let script: FakeOpenAiScript = DEFAULT_FAKE_ANSWER;

  const server = createServer((incoming, response) => {
    void handleRequest(incoming, response).catch(() => response.destroy());
  });

  async function handleRequest(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawBody = await readBody(incoming);
    const path = (incoming.url ?? '').split('?')[0];
    if (incoming.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendError(response, 404, { message: `Unknown route ${incoming.method} ${path}`, type: 'invalid_request_error', code: 'unknown_url' });
    }
    let body: FakeChatRequestBody;
    try {
      body = JSON.parse(rawBody) as FakeChatRequestBody;
    } catch {
      return sendError(response, 400, { message: 'The request body is not valid JSON.', type: 'invalid_request_error', code: null });
    }
    const authorization = incoming.headers.authorization;
    requests.push({ body, authorization });
    if (!authorization?.startsWith('Bearer ') || authorization.length === 'Bearer '.length) {
      return sendError(response, 401, { message: "You didn't provide an API key.", type: 'invalid_request_error', code: null });
    }
    await answer(script, body, response);
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respondWith(next) {
      script = next;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

async function answer(script: FakeOpenAiScript, body: FakeChatRequestBody, response: ServerResponse): Promise<void> {
  switch (script.kind) {
    case 'hang':
      return;
    case 'status':
      if (script.body) return sendJson(response, script.status, script.body);
      return sendError(response, script.status, defaultErrorFor(script.status));
    case 'stream':
      return streamAnswer(script, body, response);
    case 'break-after':
      return breakAfter(script.chunks, body, response);
  }
}

async function streamAnswer(script: Extract<FakeOpenAiScript, { kind: 'stream' }>, body: FakeChatRequestBody, response: ServerResponse): Promise<void> {
  const includeUsage = body.stream_options?.include_usage === true;
  // Stop writing (and waiting) as soon as the client goes away or the fake closes.
  const gone = new AbortController();
  response.on('close', () => gone.abort());

  startEventStream(response);
  for (const [index, text] of script.chunks.entries()) {
    if (index > 0 && script.delayMs) {
      const waited = await sleep(script.delayMs, true, { signal: gone.signal }).catch(() => false);
      if (!waited) return;
    }
    if (gone.signal.aborted) return;
    writeEvent(response, contentChunk(body.model, text, index === 0, includeUsage));
  }
  writeEvent(response, chunkEnvelope(body.model, [{ index: 0, delta: {}, finish_reason: 'stop' }], includeUsage));
  if (includeUsage) {
    writeEvent(response, { ...chunkEnvelope(body.model, []), usage: script.usage ?? estimateUsage(body, script.chunks) });
  }
  response.end('data: [DONE]\n\n');
}

async function breakAfter(chunks: string[], body: FakeChatRequestBody, response: ServerResponse): Promise<void> {
  startEventStream(response);
  const events = chunks.map((text, index) => `data: ${JSON.stringify(contentChunk(body.model, text, index === 0))}\n\n`);
  // Cut only once the chunks are handed to the socket, so the client sees them before the break.
  await new Promise<void>((resolve) => response.write(events.join(''), () => resolve()));
  response.socket?.destroy();
}

function contentChunk(model: string, text: string, first: boolean, includeUsage = false): object {
  const delta = first ? { role: 'assistant', content: text } : { content: text };
  return chunkEnvelope(model, [{ index: 0, delta, finish_reason: null }], includeUsage);
}

// Like the real API: every chunk of one completion shares its id and timestamp; with
// `include_usage`, chunks carry `usage: null` until the final usage chunk.
function chunkEnvelope(model: string, choices: object[], includeUsage = false): object {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    system_fingerprint: null,
    choices,
    ...(includeUsage ? { usage: null } : {}),
  };
}

/** Deterministic and roughly proportional, for tests that only need plausible numbers. */
function estimateUsage(body: FakeChatRequestBody, chunks: string[]): FakeUsage {
  const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
  const promptTokens = body.messages.reduce((total, message) => total + words(String(message.content)), 0);
  const completionTokens = chunks.reduce((total, chunk) => total + words(chunk), 0);
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

function defaultErrorFor(status: number): { message: string; type: string; code: string | null } {
  if (status === 429) return { message: 'Rate limit reached for requests (fake upstream detail).', type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { message: 'The server had an error while processing your request (fake upstream detail).', type: 'server_error', code: null };
  return { message: `Fake upstream error ${status}.`, type: 'invalid_request_error', code: null };
}

function startEventStream(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  response.flushHeaders();
}

function writeEvent(response: ServerResponse, data: object): void {
  response.write(`data: ${JSON.stringify(data)}\n\n`);
}

function sendError(response: ServerResponse, status: number, error: { message: string; type: string; code: string | null }): void {
  sendJson(response, status, { error: { ...error, param: null } });
}

function sendJson(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readBody(incoming: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
