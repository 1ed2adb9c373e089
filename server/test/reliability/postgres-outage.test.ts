/**
 * Drill: the database dies under chat load and comes back. Docent runs as a real process on a
 * PostgreSQL server of the drill's own; readers keep asking throughout. Expected: `/health` says
 * 503 within a second of the crash; every question asked meanwhile gets a user-safe error with its
 * request ID; within 5 s of the database's return Docent answers again — same process, no restart;
 * and every answer that was acknowledged with `done` is in the database, word for word.
 */
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, metricsResponseSchema } from '@docent/protocol';
import { temporaryDirectory } from '../helpers/app.js';
import { POSTGRES_MISSING } from '../helpers/postgres.js';
import { ask, ingestDrillCourse, pollHealth, QUESTIONS, runLoad, startDocent, type ChatOutcome, type DocentProcess } from './support/drill.js';
import { reportFigure } from './support/report.js';
import { createThrowawayPostgres, type ThrowawayPostgres } from './support/throwaway-postgres.js';

const LOAD_LOOPS = 4;
const HEALTHY_MS = 3_000;
const OUTAGE_MS = 3_000;
const AFTER_RETURN_MS = 7_000;

// Its throwaway server is this machine's PostgreSQL, pgvector included.
describe.skipIf(POSTGRES_MISSING !== undefined)('PostgreSQL outage drill', { timeout: 120_000 }, () => {
  let postgres: ThrowawayPostgres;
  let docent: DocentProcess;
  const dataDir = temporaryDirectory();

  beforeAll(async () => {
    postgres = await createThrowawayPostgres();
    await postgres.start();
    const env = { DATABASE_URL: postgres.url, DATA_DIR: dataDir.path };
    await ingestDrillCourse(env);
    docent = await startDocent(env);
  }, 120_000);

  afterAll(async () => {
    await docent?.stop();
    await postgres?.remove();
    rmSync(dataDir.path, { recursive: true, force: true });
  });

  it('detects the outage within 1 s, fails safely, recovers within 5 s without a restart and loses no acknowledged answer', async () => {
    const health = pollHealth(docent.url, 50);
    const outcomes: ChatOutcome[] = [];
    const load = new AbortController();
    const cookies: (string | undefined)[] = [];
    const threads: (string | undefined)[] = [];
    const loadFinished = runLoad(LOAD_LOOPS, load.signal, async (loop) => {
      const question = QUESTIONS[outcomes.length % QUESTIONS.length] ?? 'What is URDF?';
      const outcome = await ask(docent.url, { message: question, ...(threads[loop] ? { thread_id: threads[loop] } : {}) }, cookies[loop]);
      outcomes.push(outcome);
      cookies[loop] = outcome.cookie;
      threads[loop] = outcome.threadId ?? threads[loop];
      // A reader whose question failed waits a moment before asking again.
      if (!outcome.done) await sleep(100);
    });

    await sleep(HEALTHY_MS);
    const crashedAt = performance.now();
    await postgres.crash();
    await sleep(OUTAGE_MS);
    const returnedAt = await postgres.start();
    await sleep(AFTER_RETURN_MS);
    load.abort();
    await loadFinished;
    health.stop();

    // Detection: the first 503 from /health after the crash.
    const firstDegraded = health.samples.find((sample) => sample.at >= crashedAt && sample.status === 503);
    expect(firstDegraded, 'health never reported the outage').toBeDefined();
    const detectionMs = (firstDegraded?.answeredAt ?? Infinity) - crashedAt;
    expect(detectionMs).toBeLessThan(1_000);

    // Recovery: health is ok again and a question is answered, both counted from the database's return.
    const firstHealthy = health.samples.find((sample) => sample.at >= returnedAt && sample.status === 200);
    const firstAnswered = outcomes.filter((outcome) => outcome.startedAt >= returnedAt && outcome.done).sort((a, b) => a.endedAt - b.endedAt)[0];
    expect(firstHealthy && firstAnswered, 'no recovery after the database returned').toBeTruthy();
    const recoveryMs = Math.max(firstHealthy?.answeredAt ?? Infinity, firstAnswered?.endedAt ?? Infinity) - returnedAt;
    expect(recoveryMs).toBeLessThan(5_000);
    // And it stays recovered: everything asked from 5 s after the return is answered.
    const late = outcomes.filter((outcome) => outcome.startedAt >= returnedAt + 5_000);
    expect(late.length).toBeGreaterThan(0);
    expect(late.filter((outcome) => !outcome.done)).toEqual([]);

    // Every failure was user-safe: a 503 (or a stream's error event) with the catalogue's message
    // and the response's request ID, never a dropped connection or a 500.
    const failed = outcomes.filter((outcome) => !outcome.done);
    expect(failed.length).toBeGreaterThan(0);
    for (const outcome of failed) {
      expect(outcome.failure).toBeUndefined();
      expect([200, 503]).toContain(outcome.status);
      expect(outcome.error).toEqual({ code: 'database_unavailable', message: ERROR_CATALOGUE.database_unavailable.message, request_id: outcome.requestId });
    }

    // Nothing acknowledged is lost: every `done` answer is stored, complete, word for word.
    const acknowledged = outcomes.flatMap((outcome) => (outcome.done ? [outcome.done] : []));
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    const stored = await client
      .query<{ id: string; content: string; status: string }>('select id, content, status from messages where id = any($1)', [acknowledged.map((answer) => answer.messageId)])
      .finally(() => client.end());
    const storedById = new Map(stored.rows.map((row) => [row.id, row]));
    const lost = acknowledged.filter((answer) => storedById.get(answer.messageId)?.content !== answer.answer || storedById.get(answer.messageId)?.status !== 'complete');
    expect(lost).toEqual([]);

    // Operators see the answers that failed after their stream started (HTTP 200, so not in
    // error_count) in /metrics; questions refused before any answer began are 503s in error_count.
    const metrics = metricsResponseSchema.parse(await (await fetch(`${docent.url}/metrics`)).json());
    expect(metrics.answers.failed).toBe(failed.filter((outcome) => outcome.status === 200).length);
    expect(metrics.answers.complete).toBe(acknowledged.length);
    expect(metrics.error_count).toBeGreaterThanOrEqual(failed.filter((outcome) => outcome.status === 503).length);

    // The same process served throughout: it never exited and its uptime spans the drill.
    expect(docent.process.child.exitCode).toBeNull();
    const uptime = ((await (await fetch(`${docent.url}/health`)).json()) as { uptime_seconds: number }).uptime_seconds;
    expect(uptime).toBeGreaterThanOrEqual((HEALTHY_MS + OUTAGE_MS + AFTER_RETURN_MS) / 1000);

    reportFigure('postgres_outage', {
      questions_asked: outcomes.length,
      answers_acknowledged: acknowledged.length,
      failed_during_outage: failed.length,
      outage_detected_ms: Math.round(detectionMs),
      recovered_ms_after_database_return: Math.round(recoveryMs),
      acknowledged_answers_lost: lost.length,
      failed_mid_answer_counted_in_metrics: metrics.answers.failed,
    });
  });
});
