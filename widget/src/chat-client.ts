import type { ChatRequest, ChatStreamEvent, ChatStreamEventName, ThreadMessage, ThreadSummary } from '@docent/protocol';

/**
 * The widget's side of the wire contract. Types come from `@docent/protocol`; the runtime checks
 * are hand-written because zod would triple the script's size (25 KB gzip budget) — the server
 * validates every event against the zod schemas before sending it.
 */

/** A failure to show the reader: a user-safe message and the request ID support can look up. */
export class ChatFailure extends Error {
  constructor(
    message: string,
    readonly requestId: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const EVENT_NAMES: readonly ChatStreamEventName[] = ['thread', 'sources', 'notice', 'delta', 'done', 'error'];

export function newRequestId(): string {
  return crypto.randomUUID();
}

export class ChatClient {
  constructor(private readonly serverUrl: string) {}

  /**
   * Asks a question and calls `onEvent` for each stream event until the stream ends. Throws
   * ChatFailure when the server refuses the question or cannot be reached; an `error` event is
   * delivered like any other event.
   */
  async ask(request: ChatRequest, signal: AbortSignal, onEvent: (event: ChatStreamEvent) => void, offlineMessage: string): Promise<void> {
    const requestId = newRequestId();
    const response = await this.send('/api/v1/chat', { method: 'POST', body: JSON.stringify(request), headers: { accept: 'text/event-stream' }, signal }, requestId, offlineMessage);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let boundary = buffer.indexOf('\n\n');
      while (boundary !== -1) {
        const event = parseEvent(buffer.slice(0, boundary));
        buffer = buffer.slice(boundary + 2);
        boundary = buffer.indexOf('\n\n');
        if (event) onEvent(event);
      }
    }
  }

  async threads(offlineMessage: string): Promise<ThreadSummary[]> {
    const response = await this.send('/api/v1/threads', {}, newRequestId(), offlineMessage);
    return ((await response.json()) as { threads: ThreadSummary[] }).threads;
  }

  /** A thread's messages, or undefined when it no longer exists (deleted, or another browser's). */
  async messages(threadId: string, offlineMessage: string): Promise<ThreadMessage[] | undefined> {
    try {
      const response = await this.send(`/api/v1/threads/${encodeURIComponent(threadId)}/messages`, {}, newRequestId(), offlineMessage);
      return ((await response.json()) as { messages: ThreadMessage[] }).messages;
    } catch (error) {
      if (error instanceof ChatFailure && (error.code === 'not_found' || error.code === 'validation_failed')) return undefined;
      throw error;
    }
  }

  async feedback(messageId: string, rating: 'up' | 'down', offlineMessage: string): Promise<void> {
    await this.send(`/api/v1/messages/${encodeURIComponent(messageId)}/feedback`, { method: 'POST', body: JSON.stringify({ rating }) }, newRequestId(), offlineMessage);
  }

  private send(path: string, init: RequestInit, requestId: string, offlineMessage: string): Promise<Response> {
    return sendRequest(`${this.serverUrl}${path}`, init, requestId, offlineMessage);
  }
}

/**
 * One request to Docent: a fresh X-Request-ID, the reader's cookies (visitor and session), JSON.
 * Throws ChatFailure with the server's user-safe message and request ID when the answer is an
 * error, or with `offlineMessage` when the server cannot be reached.
 */
export async function sendRequest(url: string, init: RequestInit, requestId: string, offlineMessage: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      credentials: 'include',
      headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string>), 'x-request-id': requestId },
    });
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new ChatFailure(offlineMessage, requestId, 'unreachable');
  }
  if (response.ok) return response;
  const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string; request_id?: string } } | undefined;
  throw new ChatFailure(body?.error?.message ?? offlineMessage, body?.error?.request_id ?? response.headers.get('x-request-id') ?? requestId, body?.error?.code ?? 'unknown');
}

/** One SSE block → a typed event; comments, unknown events and malformed data are skipped. */
function parseEvent(block: string): ChatStreamEvent | undefined {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) name = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length === 0 || !EVENT_NAMES.includes(name as ChatStreamEventName)) return undefined;
  try {
    const parsed = JSON.parse(data.join('\n')) as unknown;
    return isEventData(name as ChatStreamEventName, parsed) ? ({ event: name, data: parsed } as ChatStreamEvent) : undefined;
  } catch {
    return undefined;
  }
}

function isEventData(name: ChatStreamEventName, data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  const fields = data as Record<string, unknown>;
  switch (name) {
    case 'thread':
      return typeof fields.thread_id === 'string' && typeof fields.message_id === 'string';
    case 'sources':
      return Array.isArray(fields.sources) && fields.sources.every((source) => typeof (source as { id?: unknown }).id === 'number' && typeof (source as { url?: unknown }).url === 'string');
    case 'notice':
    case 'error':
      return typeof fields.message === 'string' && typeof fields.code === 'string';
    case 'delta':
      return typeof fields.text === 'string';
    case 'done':
      return typeof fields.message_id === 'string';
  }
}
