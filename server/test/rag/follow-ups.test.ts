import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerText, eventOf, postChat, readEvents, startChatServer, type ChatServer } from '../helpers/chat.js';

/** Asks questions one after another in one thread, as a reader would; returns each answer's events. */
async function askInThread(server: ChatServer, questions: readonly string[]) {
  let threadId: string | undefined;
  let cookie: string | undefined;
  const turns = [];
  for (const message of questions) {
    const call = await postChat(server.url, { message, ...(threadId ? { thread_id: threadId } : {}) }, cookie ? { cookie } : {});
    cookie = call.cookie;
    const { events } = await readEvents(call.response);
    threadId = eventOf(events, 'thread')?.data.thread_id;
    turns.push({ sources: eventOf(events, 'sources')?.data.sources ?? [], answer: answerText(events), notCovered: eventOf(events, 'notice')?.data.code === 'not_covered' });
  }
  return turns;
}

describe('follow-up questions in a thread (real retrieval on two chapters of the bundled course)', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startChatServer('pglite');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers a short question about a new topic on its own, not about the previous topic', async () => {
    const [, switched] = await askInThread(server, ['What is the zero moment point?', 'What is the difference between URDF and SDF?']);
    expect(switched?.notCovered).toBe(false);
    expect(switched?.sources[0]?.url).toMatch(/^\/docs\/ros2\/urdf-robot-description/);
    expect(switched?.answer).toContain('SDF');
    expect(switched?.answer).not.toMatch(/zero moment point|ZMP/i);
  });

  it('lets a follow-up that points back borrow the previous topic', async () => {
    const [, followUp] = await askInThread(server, ['What is the capture point?', 'And how is it computed?']);
    expect(followUp?.notCovered).toBe(false);
    expect(followUp?.sources[0]?.url).toBe('/docs/control/locomotion-and-balance#capture-point-and-the-divergent-component-of-motion');
  });
});
