/**
 * A test client for Docent's ChatKit endpoint that checks the contract on every exchange: each
 * request it sends must be a valid ChatKit request, each JSON response and each streamed event a
 * valid response/event, against the protocol's JSON Schema (../shared/contracts/chatkit, read in
 * place like the Qdrant spec: PROTOCOL.md, openai-chatkit 1.6.5).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { expect } from 'vitest';

// A CommonJS module read from ESM: the plugin function is its `default` export.
const addFormats = formatsPlugin.default;

export const CONTRACT_DIR = fileURLToPath(new URL('../../../../shared/contracts/chatkit/', import.meta.url));
const schema = JSON.parse(readFileSync(join(CONTRACT_DIR, 'chatkit-protocol.schema.json'), 'utf8')) as { $id: string };
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
ajv.addSchema(schema);

export function validatorFor(definition: string): ValidateFunction {
  const validate = ajv.getSchema(`${schema.$id}#/$defs/${definition}`);
  if (!validate) throw new Error(`no $def ${definition} in the ChatKit schema`);
  return validate;
}

/** Fails the test with Ajv's explanation when `value` does not satisfy the definition. */
export function expectValid(definition: string, value: unknown): void {
  const validate = validatorFor(definition);
  const valid = validate(value);
  expect(valid ? 'valid' : { definition, value, errors: validate.errors }).toBe('valid');
}

export function readExample(name: string): string {
  return readFileSync(join(CONTRACT_DIR, 'examples', name), 'utf8');
}

/** SSE as ChatKit frames it: `data:` lines, blank-line separated; `:` comments are skipped. */
export function parseSse(text: string): Record<string, unknown>[] {
  const events: Record<string, unknown>[] = [];
  for (const block of text.replace(/\r\n/g, '\n').split(/\n\n+/)) {
    const data = block
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith(':'))
      .map((line) => {
        if (!line.startsWith('data:')) throw new Error(`not a data line: ${line}`);
        return line.slice(5).replace(/^ /, '');
      });
    if (data.length > 0) events.push(JSON.parse(data.join('\n')) as Record<string, unknown>);
  }
  return events;
}

/** The JSON Schema definition each JSON operation's response must satisfy. */
const RESPONSE_DEFINITIONS: Record<string, string> = {
  'threads.get_by_id': 'ThreadsGetByIdResponse',
  'threads.list': 'ThreadsListResponse',
  'items.list': 'ItemsListResponse',
  'threads.update': 'ThreadsUpdateResponse',
  'threads.delete': 'ThreadsDeleteResponse',
  'items.feedback': 'ItemsFeedbackResponse',
};

export interface ChatKitReply {
  status: number;
  contentType: string;
  /** Streamed events (already checked against ThreadStreamEvent), for streaming operations. */
  events: Record<string, unknown>[];
  /** The JSON body, for everything else. */
  json: unknown;
  /** The visitor cookie to send back. */
  cookie: string | undefined;
  requestId: string | null;
}

export interface ChatKitClient {
  /** Sends a request the contract allows; a 200 answer is checked against the contract too. */
  send(body: { type: string; params?: unknown; metadata?: unknown }, options?: { cookie?: string; expectValidRequest?: boolean }): Promise<ChatKitReply>;
}

export function chatKitClient(baseUrl: string, path = '/chatkit'): ChatKitClient {
  return {
    async send(body, options = {}) {
      if (options.expectValidRequest !== false) expectValid('ChatKitRequest', body);
      const response = await fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: '*/*', ...(options.cookie ? { cookie: options.cookie } : {}) },
        body: JSON.stringify(body),
      });
      const contentType = response.headers.get('content-type') ?? '';
      const text = await response.text();
      const cookie = response.headers.get('set-cookie')?.split(';')[0] ?? options.cookie;
      const reply: ChatKitReply = { status: response.status, contentType, events: [], json: undefined, cookie, requestId: response.headers.get('x-request-id') };
      if (contentType.startsWith('text/event-stream')) {
        reply.events = parseSse(text);
        for (const event of reply.events) expectValid('ThreadStreamEvent', event);
      } else {
        reply.json = JSON.parse(text);
        const definition = RESPONSE_DEFINITIONS[body.type];
        if (response.status === 200 && definition) expectValid(definition, reply.json);
      }
      return reply;
    },
  };
}

/** The assistant message's final text, from its `thread.item.done` event. */
export function finalAnswer(events: readonly Record<string, unknown>[]): { id: string; text: string; annotations: { source: { url: string; title: string }; index: number }[] } | undefined {
  for (const event of events) {
    const item = event.item as { id: string; type: string; content: { text: string; annotations: { source: { url: string; title: string }; index: number }[] }[] } | undefined;
    if (event.type === 'thread.item.done' && item?.type === 'assistant_message') {
      const [content] = item.content;
      return { id: item.id, text: content?.text ?? '', annotations: content?.annotations ?? [] };
    }
  }
  return undefined;
}
