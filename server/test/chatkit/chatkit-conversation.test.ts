import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_BACKENDS } from '../helpers/app.js';
import { startChatServer, type ChatServer } from '../helpers/chat.js';
import { chatKitClient, finalAnswer, type ChatKitClient } from './chatkit-client.js';

type Item = { id: string; type: string };
type Page<Entry> = { data: Entry[]; has_more: boolean; after?: string };

const message = (text: string) => ({ content: [{ type: 'input_text', text }], attachments: [], quoted_text: null, inference_options: { model: null, tool_choice: null } });

describe.each(DATABASE_BACKENDS)('a ChatKit conversation, seen through both protocols ($name)', ({ name }) => {
  let server: ChatServer;
  let chatkit: ChatKitClient;
  beforeAll(async () => {
    // A path of the operator's choosing (CHATKIT_PATH).
    server = await startChatServer(name, { CHATKIT_PATH: '/course/chatkit' });
    chatkit = chatKitClient(server.url, '/course/chatkit');
  });
  afterAll(async () => {
    await server?.close();
  });

  const docent = async (path: string, cookie: string | undefined) => {
    const response = await fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {} });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('creates, follows up, retries, lists, pages, rates, renames and deletes', async () => {
    // create
    const created = await chatkit.send({ type: 'threads.create', params: { input: message('What is the support polygon?') } });
    const cookie = created.cookie;
    const thread = (created.events[0] as { thread: { id: string; title: string } }).thread;
    expect(thread.title).toBe('What is the support polygon?');
    const firstAnswer = finalAnswer(created.events);

    // add a message
    const added = await chatkit.send({ type: 'threads.add_user_message', params: { thread_id: thread.id, input: message('What is a prismatic joint?') } }, { cookie });
    const question = (added.events[0] as { item: Item }).item;
    const oldAnswer = finalAnswer(added.events);
    expect(question.type).toBe('user_message');

    // retry after the question: its old answer is replaced by a new one
    const retried = await chatkit.send({ type: 'threads.retry_after_item', params: { thread_id: thread.id, item_id: question.id } }, { cookie });
    expect(retried.events[0]).toEqual({ type: 'thread.item.removed', item_id: oldAnswer?.id });
    const newAnswer = finalAnswer(retried.events);
    expect(newAnswer?.id).not.toBe(oldAnswer?.id);
    expect(newAnswer?.text).toBe(oldAnswer?.text);

    // the thread, with its items oldest first
    const full = await chatkit.send({ type: 'threads.get_by_id', params: { thread_id: thread.id } }, { cookie });
    const items = (full.json as { items: Page<Item> }).items.data;
    expect(items.map((item) => item.id)).toEqual([expect.any(String), firstAnswer?.id, question.id, newAnswer?.id]);

    // items.list pages newest first, with `after` as the cursor
    const firstPage = (await chatkit.send({ type: 'items.list', params: { thread_id: thread.id, limit: 3 } }, { cookie })).json as Page<Item>;
    expect(firstPage).toMatchObject({ has_more: true, after: firstAnswer?.id });
    expect(firstPage.data.map((item) => item.id)).toEqual([newAnswer?.id, question.id, firstAnswer?.id]);
    const lastPage = (await chatkit.send({ type: 'items.list', params: { thread_id: thread.id, limit: 3, after: firstPage.after } }, { cookie })).json as Page<Item>;
    expect(lastPage.has_more).toBe(false);
    expect(lastPage.after).toBeUndefined();
    expect(lastPage.data.map((item) => item.id)).toEqual([items[0]?.id]);
    const ascending = (await chatkit.send({ type: 'items.list', params: { thread_id: thread.id, order: 'asc', limit: null, after: null } }, { cookie })).json as Page<Item>;
    expect(ascending.data.map((item) => item.id)).toEqual(items.map((item) => item.id));

    // threads.list pages the reader's threads
    const second = await chatkit.send({ type: 'threads.create', params: { input: message('How does a robot keep its balance?') } }, { cookie });
    const secondId = (second.events[0] as { thread: { id: string } }).thread.id;
    const threads = (await chatkit.send({ type: 'threads.list', params: { limit: 1 } }, { cookie })).json as Page<{ id: string; items: Page<Item> }>;
    expect(threads).toMatchObject({ data: [{ id: secondId, items: { data: [], has_more: false } }], has_more: true, after: secondId });
    const older = (await chatkit.send({ type: 'threads.list', params: { limit: 1, after: threads.after } }, { cookie })).json as Page<{ id: string }>;
    expect(older).toEqual({ data: [expect.objectContaining({ id: thread.id })], has_more: false });

    // feedback lands in Docent's own, readable through /api/v1
    expect((await chatkit.send({ type: 'items.feedback', params: { thread_id: thread.id, item_ids: [newAnswer?.id], kind: 'negative' } }, { cookie })).json).toEqual({});
    const viaDocent = await docent(`/api/v1/threads/${thread.id}/messages`, cookie);
    const stored = viaDocent.body.messages as { id: string; content: string; feedback: string | null }[];
    expect(stored.map((entry) => entry.id)).toEqual(items.map((item) => item.id));
    expect(stored.find((entry) => entry.id === newAnswer?.id)).toMatchObject({ content: newAnswer?.text, feedback: 'down' });
    // A question is not an answer: it cannot be rated.
    expect((await chatkit.send({ type: 'items.feedback', params: { thread_id: thread.id, item_ids: [question.id], kind: 'positive' } }, { cookie })).status).toBe(404);

    // rename
    const renamed = await chatkit.send({ type: 'threads.update', params: { thread_id: thread.id, title: 'Balance and joints' } }, { cookie });
    expect(renamed.json).toMatchObject({ id: thread.id, title: 'Balance and joints', items: { data: [], has_more: false } });
    const listed = (await docent('/api/v1/threads', cookie)).body.threads as { id: string; title: string }[];
    expect(listed).toContainEqual(expect.objectContaining({ id: thread.id, title: 'Balance and joints' }));

    // delete: gone through both protocols
    expect((await chatkit.send({ type: 'threads.delete', params: { thread_id: thread.id } }, { cookie })).json).toEqual({});
    expect((await docent(`/api/v1/threads/${thread.id}/messages`, cookie)).status).toBe(404);
    expect((await chatkit.send({ type: 'threads.get_by_id', params: { thread_id: thread.id } }, { cookie })).status).toBe(404);
  });

  it('continues in ChatKit a thread started in the widget', async () => {
    const asked = await fetch(`${server.url}/api/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'What is a URDF file?' }) });
    const cookie = asked.headers.get('set-cookie')?.split(';')[0];
    const { thread_id: threadId } = (await asked.json()) as { thread_id: string };
    const followed = await chatkit.send({ type: 'threads.add_user_message', params: { thread_id: threadId, input: message('What is a prismatic joint?') } }, { cookie });
    expect(finalAnswer(followed.events)?.text.length).toBeGreaterThan(0);
    const page = (await chatkit.send({ type: 'items.list', params: { thread_id: threadId, order: 'asc' } }, { cookie })).json as Page<Item>;
    expect(page.data.map((item) => item.type)).toEqual(['user_message', 'assistant_message', 'user_message', 'assistant_message']);
  });
});
