/**
 * While the course is still being indexed (a first start, a reset re-ingest), readers are told so
 * with how far it has come, answers say they may be partial, and a question nothing indexed yet
 * answers is never called "not covered". Health and the store status show the progress; health
 * stays ok.
 */
import { healthResponseSchema, storeStatusSchema } from '@docent/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerText, eventOf, postChat, readEvents, startChatServer, type ChatServer } from '../helpers/chat.js';

async function ask(server: ChatServer, message: string) {
  const { events } = await readEvents((await postChat(server.url, { message })).response);
  const notices = events.filter((event) => event.event === 'notice').map((event) => (event.event === 'notice' ? event.data : undefined));
  return { answer: answerText(events), notices, done: eventOf(events, 'done') };
}

describe('answers while the course is being indexed', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startChatServer('pglite');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('says how far indexing has come, answers from what is indexed, and never claims "not covered"', async () => {
    server.app.knowledge.indexing.begin();
    server.app.knowledge.indexing.update(64, 182);
    try {
      const covered = await ask(server, 'What is the zero moment point?');
      expect(covered.answer).toMatch(/zero moment point/i);
      expect(covered.notices).toEqual([{ code: 'indexing', message: 'The course is still being indexed (64 of 182 passages so far), so this answer may miss parts of it.' }]);

      const notYet = await ask(server, 'Which hydraulic oil grade suits a backhoe in winter?');
      expect(notYet.done).toBeDefined();
      expect(notYet.notices.map((notice) => notice?.code)).toEqual(['indexing']);
      expect(notYet.answer).toMatch(/^The course is still being indexed \(64 of 182 passages so far\)\. Nothing indexed yet answers this; please ask again in a minute\./);
      expect(notYet.answer).not.toMatch(/doesn't (?:seem to )?cover/);

      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(healthResponseSchema.parse(await health.json())).toMatchObject({ status: 'ok', database: 'connected', indexing: { done: 64, total: 182 } });
      const store = storeStatusSchema.parse(await (await fetch(`${server.url}/api/v1/qdrant/status`)).json());
      expect(store).toMatchObject({ status: 'connected', indexing: { done: 64, total: 182 } });
    } finally {
      server.app.knowledge.indexing.finish();
    }
  });

  it('once indexing is over, answers as usual and health is back to its three fields', async () => {
    const offCourse = await ask(server, 'Which hydraulic oil grade suits a backhoe in winter?');
    expect(offCourse.notices.map((notice) => notice?.code)).toEqual(['not_covered']);
    const health = await (await fetch(`${server.url}/health`)).json();
    expect(Object.keys(health as object).sort()).toEqual(['database', 'status', 'uptime_seconds']);
    expect(((await (await fetch(`${server.url}/api/v1/qdrant/status`)).json()) as Record<string, unknown>).indexing).toBeUndefined();
  });
});
