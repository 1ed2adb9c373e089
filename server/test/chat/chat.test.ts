import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatStreamEventSchemas, MAX_CHAT_MESSAGE_LENGTH } from '@docent/protocol';
import { DATABASE_BACKENDS } from '../helpers/app.js';
import { answerText, eventOf, postChat, readEvents, startChatServer, type ChatServer } from '../helpers/chat.js';

describe.each(DATABASE_BACKENDS)('chat with extractive answers ($name)', ({ name }) => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startChatServer(name);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('streams thread, sources, cited deltas and done, in that order, and stores both messages', async () => {
    const { response, cookie } = await postChat(server.url, { message: "How do I describe a robot's joints?" });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    expect(cookie).toMatch(/^docent_visitor=/);
    expect(response.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    const { events } = await readEvents(response);

    const order = events.map((event) => event.event);
    expect(order[0]).toBe('thread');
    expect(order[1]).toBe('sources');
    expect(order.at(-1)).toBe('done');
    expect(order.slice(2, -1).every((name) => name === 'delta')).toBe(true);
    for (const event of events) expect(() => chatStreamEventSchemas[event.event].parse(event.data)).not.toThrow();

    const sources = eventOf(events, 'sources')?.data.sources ?? [];
    expect(sources[0]?.url).toBe('/docs/ros2/urdf-robot-description#describing-joints');
    const answer = answerText(events);
    expect(answer).toMatch(/joint/i);
    const markers = [...answer.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
    expect(markers.length).toBeGreaterThan(0);
    const sourceIds = new Set(sources.map((source) => source.id));
    for (const marker of markers) expect(sourceIds.has(marker)).toBe(true);
    const done = eventOf(events, 'done');
    expect(done?.data.cited).toEqual([...new Set(markers)].sort((a, b) => a - b));

    // The exchange is in the database and readable by its owner.
    const thread = eventOf(events, 'thread')?.data;
    const stored = await fetch(`${server.url}/api/v1/threads/${thread?.thread_id}/messages`, { headers: { cookie: cookie ?? '' } });
    expect(stored.status).toBe(200);
    const { messages } = (await stored.json()) as { messages: { id: string; role: string; content: string; status: string; sources: unknown[] }[] };
    expect(messages.map((message) => [message.role, message.status])).toEqual([
      ['user', 'complete'],
      ['assistant', 'complete'],
    ]);
    expect(messages[0]?.content).toBe("How do I describe a robot's joints?");
    expect(messages[1]?.id).toBe(thread?.message_id);
    expect(messages[1]?.content).toBe(answer);
    expect(messages[1]?.sources).toEqual(sources);
  });

  it('cites sources whose links point at real sections of the course', async () => {
    const { response } = await postChat(server.url, { message: 'What is the zero moment point?' });
    const { events } = await readEvents(response);
    const sources = eventOf(events, 'sources')?.data.sources ?? [];
    expect(sources.length).toBeGreaterThan(0);
    const catalogUrls = new Set((await server.app.knowledge.catalog.get([...(await server.app.knowledge.catalog.hashes()).keys()])).map((chunk) => chunk.url));
    for (const source of sources) expect(catalogUrls.has(source.url)).toBe(true);
    const zmp = sources.find((source) => source.url === '/docs/control/locomotion-and-balance#the-zero-moment-point-and-the-zmp-criterion');
    expect(zmp).toBeDefined();
    expect(answerText(events)).toContain(`The Zero Moment Point (ZMP) is the point on the ground`);
    expect(answerText(events)).toMatch(new RegExp(`The Zero Moment Point \\(ZMP\\) is[^\\n]*\\[${zmp?.id}\\]`));
  });

  it('continues a thread and lists it for its visitor only', async () => {
    const first = await postChat(server.url, { message: 'What is the capture point?' });
    const thread = eventOf((await readEvents(first.response)).events, 'thread')?.data;
    const second = await postChat(server.url, { thread_id: thread?.thread_id, message: 'And how is it computed?' }, { cookie: first.cookie });
    expect(eventOf((await readEvents(second.response)).events, 'thread')?.data.thread_id).toBe(thread?.thread_id);

    const list = (await (await fetch(`${server.url}/api/v1/threads`, { headers: { cookie: first.cookie ?? '' } })).json()) as { threads: { id: string; title: string }[] };
    expect(list.threads).toEqual([expect.objectContaining({ id: thread?.thread_id, title: 'What is the capture point?' })]);
    const messages = (await (await fetch(`${server.url}/api/v1/threads/${thread?.thread_id}/messages`, { headers: { cookie: first.cookie ?? '' } })).json()) as { messages: unknown[] };
    expect(messages.messages).toHaveLength(4);

    const stranger = await fetch(`${server.url}/api/v1/threads`);
    expect(await stranger.json()).toEqual({ threads: [] });
  });

  it('answers with one JSON object when the client does not accept event streams', async () => {
    const { response } = await postChat(server.url, { message: 'What does a URDF joint limit bound?' }, { stream: false });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { thread_id: string; message_id: string; answer: string; sources: { id: number }[]; cited: number[] };
    expect(body.answer).toMatch(/\[\d\]/);
    expect(body.sources.length).toBeGreaterThan(0);
    expect(body.cited.length).toBeGreaterThan(0);
    expect(body.cited.every((id) => body.sources.some((source) => source.id === id))).toBe(true);
  });

  it('explains a selection from the course passages around it, not by reading the selection back', async () => {
    const selection = {
      text: 'The capture point is the point on the ground where the robot would have to step to come to a complete stop.',
      page_url: 'http://localhost:8000/docs/control/locomotion-and-balance#capture-point-and-the-divergent-component-of-motion',
      heading: 'Capture Point and the Divergent Component of Motion',
    };
    const { response } = await postChat(server.url, { message: 'Can you explain this in simpler terms?', selection });
    const { events } = await readEvents(response);
    const sources = eventOf(events, 'sources')?.data.sources ?? [];
    expect(sources[0]).toMatchObject({ id: 1, kind: 'selection', title: 'Your selection', url: selection.page_url });
    // Retrieval is steered to the section around the selection.
    expect(sources[1]?.url).toBe('/docs/control/locomotion-and-balance#capture-point-and-the-divergent-component-of-motion');
    // It says what the selection is about, then explains it from the course: never only the selection read back.
    const answer = answerText(events);
    expect(answer).toMatch(/^Your selection says: The capture point is the point on the ground/);
    const fromCourse = answer.replace(/^Your selection says: [^\n]*\n*/, '');
    expect(fromCourse.length).toBeGreaterThan(80);
    expect(fromCourse).not.toContain(selection.text.slice(0, 60));
    expect(fromCourse).toMatch(/\[[2-9]\]/);
    expect(eventOf(events, 'done')?.data.cited).toEqual(expect.arrayContaining([1]));
  });

  it('says so, and invents nothing, when the course does not cover the question', async () => {
    const { response } = await postChat(server.url, { message: 'What is the best pizza topping in Naples?' });
    const { events } = await readEvents(response);
    expect(eventOf(events, 'notice')?.data.code).toBe('not_covered');
    const answer = answerText(events);
    expect(answer).toMatch(/doesn't seem to cover this/);
    expect(answer).not.toMatch(/pizza|Naples/i);
    const sources = eventOf(events, 'sources')?.data.sources ?? [];
    for (const source of sources) expect(answer).toContain(`(${source.url})`);
    expect(eventOf(events, 'done')).toBeDefined();
  });

  it('refuses bad input with a code and request id, before any stream starts', async () => {
    const cases: [unknown, string][] = [
      [{ message: '' }, 'body.message'],
      [{ message: '   ' }, 'body.message'],
      [{ message: 'x'.repeat(MAX_CHAT_MESSAGE_LENGTH + 1) }, 'body.message'],
      [{ message: 'hi', selection: { text: '', page_url: '/docs/x' } }, 'body.selection.text'],
      [{ message: 'hi', selection: { text: 'y'.repeat(8_001), page_url: '/docs/x' } }, 'body.selection.text'],
      [{ message: 'hi', thread_id: 'not-a-uuid' }, 'body.thread_id'],
      // PostgreSQL cannot store a NUL character: refused here, not as a database error (500).
      [{ message: 'what is\u0000 a joint?' }, 'body.message'],
      [{ message: 'hi', selection: { text: 'a\u0000b', page_url: '/docs/x' } }, 'body.selection.text'],
      [{ message: 'hi', selection: { text: 'ab', page_url: '/docs/\u0000' } }, 'body.selection.page_url'],
      [{ message: 'hi', page_url: '/docs/\u0000' }, 'body.page_url'],
    ];
    for (const [body, field] of cases) {
      const { response } = await postChat(server.url, body);
      expect(response.status).toBe(400);
      const error = ((await response.json()) as { error: { code: string; request_id: string; fields: { field: string }[] } }).error;
      expect(error.code).toBe('validation_failed');
      expect(error.request_id).toBe(response.headers.get('x-request-id'));
      expect(error.fields.map((entry) => entry.field)).toContain(field);
    }
    const malformed = await fetch(`${server.url}/api/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message": ' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('invalid_json');

    const unknownThread = await postChat(server.url, { message: 'hello', thread_id: '00000000-0000-4000-8000-000000000000' });
    expect(unknownThread.response.status).toBe(404);
    expect(((await unknownThread.response.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
