/**
 * Drill: the vector store (a spec-checked Qdrant stand-in over real HTTP) goes away while readers
 * ask, and comes back. Expected: answers keep coming, from full-text search, with a `lexical_only`
 * notice; course search does the same; the status endpoint says 503 disconnected; when the store
 * returns, answers are hybrid again without a restart. Nothing fails in between.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsResponseSchema, searchResponseSchema, storeStatusSchema } from '@docent/protocol';
import { temporaryDirectory } from '../helpers/app.js';
import { startFakeQdrant, type FakeQdrant } from '../stores/fake-qdrant.js';
import { ask, ingestDrillCourse, QUESTIONS, startDocent, type ChatOutcome, type DocentProcess } from './support/drill.js';
import { reportFigure } from './support/report.js';

/**
 * Long enough for several answers per phase: an answer whose passages' sentences are not yet
 * cached spends up to ~0.5 s on the sentence model (more on a busy CI machine).
 */
const PHASE_MS = 6_000;

describe('vector store outage drill', { timeout: 120_000 }, () => {
  let qdrant: FakeQdrant;
  let docent: DocentProcess;
  const dataDir = temporaryDirectory();

  beforeAll(async () => {
    qdrant = await startFakeQdrant();
    const env = { QDRANT_URL: qdrant.url, QDRANT_API_KEY: qdrant.apiKey, QDRANT_COLLECTION: 'drill_course', DATA_DIR: dataDir.path };
    await ingestDrillCourse(env);
    docent = await startDocent(env);
  }, 120_000);

  afterAll(async () => {
    await docent?.stop();
    await qdrant?.close().catch(() => undefined);
    rmSync(dataDir.path, { recursive: true, force: true });
  });

  /** Asks questions one after another for `ms`, and the search endpoint once. */
  async function phase(ms: number) {
    const outcomes: ChatOutcome[] = [];
    for (const end = performance.now() + ms; performance.now() < end; ) {
      outcomes.push(await ask(docent.url, { message: QUESTIONS[outcomes.length % QUESTIONS.length] ?? 'What is URDF?' }));
    }
    const search = searchResponseSchema.parse(await (await fetch(`${docent.url}/api/v1/search?q=${encodeURIComponent('URDF joint')}`)).json());
    const statusResponse = await fetch(`${docent.url}/api/v1/qdrant/status`);
    return { outcomes, search, status: statusResponse.status, store: storeStatusSchema.parse(await statusResponse.json()) };
  }
  const lexicalOnly = (outcome: ChatOutcome) => outcome.events.some((event) => event.event === 'notice' && event.data.code === 'lexical_only');

  it('answers from keyword search with a notice while the store is down, and hybrid again when it returns', async () => {
    const before = await phase(PHASE_MS);
    await qdrant.close();
    const stoppedAt = performance.now();
    const during = await phase(PHASE_MS);
    await qdrant.reopen();
    const returnedAt = performance.now();
    const after = await phase(PHASE_MS);

    for (const { outcomes } of [before, during, after]) {
      expect(outcomes.length).toBeGreaterThan(3);
      // Every question is answered, cited, and acknowledged, whatever the store is doing.
      expect(outcomes.filter((outcome) => !outcome.done || outcome.status !== 200)).toEqual([]);
      for (const outcome of outcomes) {
        const sources = outcome.events.find((event) => event.event === 'sources');
        expect(sources?.event === 'sources' && sources.data.sources.length).toBeGreaterThan(0);
      }
    }
    expect(before.outcomes.filter(lexicalOnly)).toEqual([]);
    expect(during.outcomes.every(lexicalOnly)).toBe(true);
    expect(before.status).toBe(200);
    expect(during.status).toBe(503);
    expect(during.store.status).toBe('disconnected');
    expect(before.search.notices).toEqual([]);
    expect(during.search.notices.map((notice) => notice.code)).toEqual(['lexical_only']);
    expect(during.search.results.length).toBeGreaterThan(0);
    expect(during.search.results.every((result) => result.dense_score === null)).toBe(true);

    // Back to hybrid: the first answer without the notice, counted from the store's return.
    const firstHybrid = after.outcomes.find((outcome) => !lexicalOnly(outcome));
    expect(firstHybrid, 'answers stayed keyword-only after the store returned').toBeDefined();
    expect(after.outcomes.slice(after.outcomes.indexOf(firstHybrid as ChatOutcome)).filter(lexicalOnly)).toEqual([]);
    expect(after.status).toBe(200);
    expect(after.search.notices).toEqual([]);
    expect(qdrant.violations).toEqual([]);
    expect(docent.logLines().some((line) => line.msg === 'dense retrieval failed; answering from full-text search only')).toBe(true);

    const metrics = metricsResponseSchema.parse(await (await fetch(`${docent.url}/metrics`)).json());
    expect(metrics.answers.keyword_only).toBe(during.outcomes.filter(lexicalOnly).length + after.outcomes.filter(lexicalOnly).length);
    expect(metrics.answers.failed).toBe(0);

    const degradedLatencies = during.outcomes.map((outcome) => outcome.endedAt - outcome.startedAt).sort((a, b) => a - b);
    reportFigure('vector_store_outage', {
      answers_before: before.outcomes.length,
      answers_during_outage_keyword_only: during.outcomes.length,
      answers_after: after.outcomes.length,
      failed: 0,
      first_degraded_answer_ms_after_stop: Math.round((during.outcomes[0]?.endedAt ?? 0) - stoppedAt),
      degraded_answer_p50_ms: Math.round(degradedLatencies[Math.floor(degradedLatencies.length / 2)] ?? 0),
      hybrid_again_ms_after_return: Math.round((firstHybrid?.endedAt ?? 0) - returnedAt),
    });
  });

  it('does not keep readers waiting on a store that accepts connections but never answers', async () => {
    qdrant.stall(true);
    const hung = [await ask(docent.url, { message: QUESTIONS[0] ?? '' }), await ask(docent.url, { message: QUESTIONS[1] ?? '' })];
    qdrant.stall(false);
    const recovered = await ask(docent.url, { message: QUESTIONS[2] ?? '' });

    const waits = hung.map((outcome) => outcome.endedAt - outcome.startedAt);
    for (const outcome of hung) {
      expect(outcome.done).toBeDefined();
      expect(lexicalOnly(outcome)).toBe(true);
    }
    // The search deadline is 3 s: past it the answer comes from keyword search, not after the
    // Qdrant client's 10 s timeout.
    expect(Math.max(...waits)).toBeLessThan(4_500);
    expect(recovered.done).toBeDefined();
    expect(lexicalOnly(recovered)).toBe(false);
    reportFigure('vector_store_hung', { answers_while_hung: hung.length, slowest_answer_ms: Math.round(Math.max(...waits)), hybrid_after_it_answers_again: !lexicalOnly(recovered) });
  });
});
