import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { ingestCourse } from '@docent/ingest';
import type { ChatStreamEvent } from '@docent/protocol';
import { BUNDLED_COURSE_DIR, DOCS_ROUTE_BASE } from '../../src/knowledge/bundled-course.js';
import { startTestApp, temporaryDirectory, type BackendName, type TestApp } from './app.js';

/** Chapters of the bundled course that chat tests ingest: enough to answer from, quick to embed. */
export const CHAT_TEST_CHAPTERS = ['ros2/urdf-robot-description.md', 'control/locomotion-and-balance.md'];

export interface ChatServer extends TestApp {
  url: string;
}

/** A temporary docs folder holding CHAT_TEST_CHAPTERS, to ingest; remove it afterwards. */
export function chatTestDocs(): { path: string; remove(): void } {
  const docs = temporaryDirectory();
  for (const chapter of CHAT_TEST_CHAPTERS) {
    mkdirSync(dirname(join(docs.path, chapter)), { recursive: true });
    copyFileSync(join(BUNDLED_COURSE_DIR, chapter), join(docs.path, chapter));
  }
  return docs;
}

/** A listening app over real HTTP with part of the bundled course (or the given docs folder) ingested. */
export async function startChatServer(backend: BackendName, env: Record<string, string> = {}, docsDir?: string): Promise<ChatServer> {
  const docs = docsDir === undefined ? chatTestDocs() : { path: docsDir, remove: () => undefined };
  // Tests ask many questions and sign in often from one address; the limits are tested on their own.
  const test = await startTestApp(backend, { RATE_LIMIT_CHAT_PER_MINUTE: '100000', RATE_LIMIT_AUTH_PER_MINUTE: '100000', ...env });
  await ingestCourse({ docsDir: docs.path, routeBase: DOCS_ROUTE_BASE, reset: false, dryRun: false }, test.app.knowledge);
  docs.remove();
  // A PORT in env is used as given (links in emails point at it: PUBLIC_URL defaults to it).
  const url = await test.app.listen({ port: env.PORT === undefined ? 0 : Number(env.PORT), host: '127.0.0.1' });
  return {
    ...test,
    url,
    close: async () => {
      // After an aborted fetch, the test's HTTP client can leave a fresh socket that never sends a
      // request; the server would wait for it until its headers timeout (60 s). No reader is left.
      setTimeout(() => test.app.server.closeAllConnections(), 200).unref();
      await test.close();
    },
  };
}

/** A port nothing listens on right now, for a server that must know its own address before it starts. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export interface ChatCall {
  response: Response;
  /** The visitor cookie to send back (`name=value`), if the server set one. */
  cookie: string | undefined;
}

export async function postChat(
  url: string,
  body: unknown,
  options: { cookie?: string; stream?: boolean; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<ChatCall> {
  const response = await fetch(`${url}/api/v1/chat`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.stream === false ? {} : { accept: 'text/event-stream' }),
      ...options.headers,
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    body: JSON.stringify(body),
    signal: options.signal ?? null,
  });
  return { response, cookie: response.headers.get('set-cookie')?.split(';')[0] ?? options.cookie };
}

/** Reads a Server-Sent Events body to its end, as typed events (comments are counted, not returned). */
export async function readEvents(response: Response, onEvent?: (event: ChatStreamEvent) => void): Promise<{ events: ChatStreamEvent[]; comments: number }> {
  const events: ChatStreamEvent[] = [];
  let comments = 0;
  let buffer = '';
  const decoder = new TextDecoder();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let boundary = buffer.indexOf('\n\n');
    while (boundary !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      boundary = buffer.indexOf('\n\n');
      if (block.startsWith(':')) {
        comments += 1;
        continue;
      }
      const name = /^event: (.+)$/m.exec(block)?.[1];
      const data = /^data: (.+)$/m.exec(block)?.[1];
      if (!name || data === undefined) throw new Error(`malformed SSE block: ${block}`);
      const event = { event: name, data: JSON.parse(data) } as ChatStreamEvent;
      events.push(event);
      onEvent?.(event);
    }
  }
  return { events, comments };
}

/** The answer text of a stream: its deltas joined. */
export function answerText(events: readonly ChatStreamEvent[]): string {
  return events.flatMap((event) => (event.event === 'delta' ? [event.data.text] : [])).join('');
}

export function eventOf<Name extends ChatStreamEvent['event']>(events: readonly ChatStreamEvent[], name: Name): Extract<ChatStreamEvent, { event: Name }> | undefined {
  return events.find((event): event is Extract<ChatStreamEvent, { event: Name }> => event.event === name);
}
