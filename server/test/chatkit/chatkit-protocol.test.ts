import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatServer, type ChatServer } from '../helpers/chat.js';
import { chatKitClient, expectValid, finalAnswer, parseSse, readExample, type ChatKitClient } from './chatkit-client.js';

/** The examples captured from the reference server, with the definition each satisfies (PROTOCOL.md §11). */
const EXAMPLES: [file: string, definition: string][] = [
  ['threads.create.request.json', 'ThreadsCreateRequest'],
  ['threads.create.response.sse', 'ThreadStreamEvent'],
  ['threads.add_user_message.request.json', 'ThreadsAddUserMessageRequest'],
  ['threads.add_user_message.error.sse', 'ThreadStreamEvent'],
  ['threads.get_by_id.response.json', 'ThreadsGetByIdResponse'],
  ['threads.list.response.json', 'ThreadsListResponse'],
  ['items.list.request.json', 'ItemsListRequest'],
  ['items.list.response.json', 'ItemsListResponse'],
  ['items.feedback.request.json', 'ItemsFeedbackRequest'],
  ['error.event.json', 'ErrorEvent'],
];

function example(file: string): { type: string; params: Record<string, unknown>; metadata?: unknown } {
  return JSON.parse(readExample(file)) as { type: string; params: Record<string, unknown> };
}

describe('the ChatKit contract the tests check against', () => {
  it.each(EXAMPLES)('accepts the reference example %s as %s', (file, definition) => {
    const documents = file.endsWith('.sse') ? parseSse(readExample(file)) : [JSON.parse(readExample(file)) as unknown];
    for (const document of documents) expectValid(definition, document);
  });
});

describe('Docent as a ChatKit server (pglite)', () => {
  let server: ChatServer;
  let chatkit: ChatKitClient;
  beforeAll(async () => {
    server = await startChatServer('pglite');
    chatkit = chatKitClient(server.url);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('replays the reference requests: create, then add_user_message (tag, quoted text, model), items.list and items.feedback with its ids', async () => {
    const created = await chatkit.send(example('threads.create.request.json'));
    expect(created.status).toBe(200);
    expect(created.contentType).toMatch(/^text\/event-stream/);
    // The reference order: thread, the user's message, stream options, then the streamed answer.
    expect(created.events.slice(0, 3).map((event) => event.type)).toEqual(['thread.created', 'thread.item.done', 'stream_options']);
    const threadId = (created.events[0] as { thread: { id: string } }).thread.id;
    const firstAnswer = finalAnswer(created.events);
    expect(firstAnswer?.text.length).toBeGreaterThan(0);

    const follow = example('threads.add_user_message.request.json');
    const added = await chatkit.send({ ...follow, params: { ...follow.params, thread_id: threadId } }, { cookie: created.cookie });
    expect(added.status).toBe(200);
    const asked = added.events[0] as { type: string; item: { type: string; content: { text: string }[]; quoted_text?: string } };
    expect(asked.type).toBe('thread.item.done');
    // The tag's text is part of the question; the quoted passage is asked about like a selection.
    expect(asked.item.content[0]?.text).toBe('Show me an example like the one in Lesson 7');
    expect(asked.item.quoted_text).toBe('keeps access to the variables');
    const secondAnswer = finalAnswer(added.events);
    expect(secondAnswer?.text.length).toBeGreaterThan(0);
    // Stored as Docent's selection question: the widget's history shows the same.
    const stored = await fetch(`${server.url}/api/v1/threads/${threadId}/messages`, { headers: { cookie: created.cookie ?? '' } });
    const { messages } = (await stored.json()) as { messages: { role: string; content: string; selection: { text: string } | null }[] };
    expect(messages[2]).toMatchObject({ role: 'user', content: 'Show me an example like the one in Lesson 7', selection: { text: 'keeps access to the variables' } });

    const listing = example('items.list.request.json');
    const items = await chatkit.send({ ...listing, params: { ...listing.params, thread_id: threadId, after: secondAnswer?.id } }, { cookie: created.cookie });
    expect(items.status).toBe(200);
    const page = items.json as { data: { type: string }[]; has_more: boolean; after?: string };
    expect(page.data.map((item) => item.type)).toEqual(['user_message', 'assistant_message']);
    expect(page.has_more).toBe(true);

    const rating = example('items.feedback.request.json');
    const rated = await chatkit.send({ ...rating, params: { ...rating.params, thread_id: threadId, item_ids: [firstAnswer?.id] } }, { cookie: created.cookie });
    expect([rated.status, rated.json]).toEqual([200, {}]);
  });

  it('streams answers with course citations as URL annotations pointing at the section', async () => {
    const { events } = await chatkit.send(userMessage('threads.create', {}, 'What is the support polygon?'));
    const answer = finalAnswer(events);
    expect(answer?.annotations.length).toBeGreaterThan(0);
    for (const annotation of answer?.annotations ?? []) expect(annotation.source.url).toMatch(new RegExp(`^${server.config.accounts.publicUrl}/docs/.+#.+`));
    const deltas = events.flatMap((event) => (event.type === 'thread.item.updated' && (event.update as { type: string }).type === 'assistant_message.content_part.text_delta' ? [(event.update as { delta: string }).delta] : []));
    expect(deltas.join('')).toBe(answer?.text);
  });

  it("tells the reader as a notice when the course does not cover a question", async () => {
    const { events } = await chatkit.send(userMessage('threads.create', {}, 'What is the capital of Australia and its population?'));
    expect(events).toContainEqual(expect.objectContaining({ type: 'notice', level: 'info', message: 'The course does not seem to cover this question.' }));
  });

  it('refuses an unknown type and bad params with 400 before streaming', async () => {
    for (const body of [
      { type: 'threads.explode', params: {} },
      { type: 'threads.create', params: {} },
      { type: 'threads.get_by_id', params: { thread_id: 42 } },
      { type: 'items.feedback', params: { thread_id: crypto.randomUUID(), item_ids: [crypto.randomUUID()], kind: 'meh' } },
      // Valid ChatKit, but an empty question is no question.
      userMessage('threads.create', {}, '   '),
    ]) {
      const reply = await chatkit.send(body, { expectValidRequest: false });
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({ error: { code: 'validation_failed', request_id: reply.requestId } });
    }
  });

  it("answers 404 for an unknown thread and for another reader's thread, whatever the operation", async () => {
    const alice = await chatkit.send(userMessage('threads.create', {}, 'What is a prismatic joint?'));
    const threadId = (alice.events[0] as { thread: { id: string } }).thread.id;
    const answerId = finalAnswer(alice.events)?.id;
    const bob = await chatkit.send(userMessage('threads.create', {}, 'What is the support polygon?'));
    for (const [cookie, thread] of [
      [alice.cookie, crypto.randomUUID()],
      [bob.cookie, threadId],
      [undefined, threadId],
    ] as const) {
      for (const body of [
        { type: 'threads.get_by_id', params: { thread_id: thread } },
        { type: 'items.list', params: { thread_id: thread } },
        { type: 'threads.update', params: { thread_id: thread, title: 'Mine now' } },
        { type: 'items.feedback', params: { thread_id: thread, item_ids: [answerId], kind: 'negative' } },
        { type: 'threads.retry_after_item', params: { thread_id: thread, item_id: answerId } },
        userMessage('threads.add_user_message', { thread_id: thread }, 'And then?'),
        { type: 'threads.delete', params: { thread_id: thread } },
      ]) {
        const reply = await chatkit.send(body, cookie ? { cookie } : {});
        expect([body.type, reply.status]).toEqual([body.type, 404]);
        expect(reply.json).toMatchObject({ error: { code: 'not_found', request_id: reply.requestId } });
      }
    }
    // Alice's thread is untouched.
    const mine = await chatkit.send({ type: 'threads.get_by_id', params: { thread_id: threadId } }, { cookie: alice.cookie });
    expect((mine.json as { items: { data: unknown[] } }).items.data).toHaveLength(2);
  });

  it('answers the operations Docent does not offer with a protocol error: in the stream for streaming ones, as JSON for the others', async () => {
    const streaming = await chatkit.send({ type: 'threads.custom_action', params: { thread_id: crypto.randomUUID(), action: { type: 'open' } } });
    expect(streaming.status).toBe(200);
    expect(streaming.events).toEqual([{ type: 'error', code: 'custom', allow_retry: false, message: expect.stringContaining(`"threads.custom_action" (request ID: ${streaming.requestId})`) }]);

    const json = await chatkit.send({ type: 'attachments.create', params: { name: 'notes.pdf', size: 10, mime_type: 'application/pdf' } });
    expect(json.status).toBe(400);
    expectValid('ErrorEvent', json.json);
    expect(json.json).toMatchObject({ type: 'error', code: 'custom', allow_retry: false, message: expect.stringContaining('attachments.create') });
  });
});

function userMessage(type: 'threads.create' | 'threads.add_user_message', params: Record<string, unknown>, text: string) {
  return { type, params: { ...params, input: { content: [{ type: 'input_text', text }], attachments: [], inference_options: {} } } };
}
