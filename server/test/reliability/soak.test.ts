/**
 * Soak: two minutes of mixed reader traffic on loopback against `npm start`'s server on the
 * embedded database — new questions and follow-ups, feedback, course search, history, course
 * pages, health and metrics — a few requests at a time. Expected: not one error, and resident
 * memory at the end within 10% of where it stood after warm-up (nothing accumulates per request).
 * SOAK_SECONDS shortens or lengthens it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../helpers/app.js';
import { ask, ingestDrillCourse, QUESTIONS, runLoad, startDocent, type DocentProcess } from './support/drill.js';
import { reportFigure } from './support/report.js';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 120);
const WARM_UP_SECONDS = 15;
const LOOPS = 4;
const MiB = 1024 * 1024;
/** Memory is compared between the soak's first and last this-many milliseconds. */
const WINDOW_MS = 10_000;

function medianRss(samples: readonly { at: number; rss: number }[], from: number, to: number): number {
  const window = samples.filter((sample) => sample.at >= from && sample.at <= to).map((sample) => sample.rss).sort((a, b) => a - b);
  return window[Math.floor(window.length / 2)] ?? Number.NaN;
}

describe('soak', { timeout: (SOAK_SECONDS + WARM_UP_SECONDS + 60) * 1000 }, () => {
  let docent: DocentProcess;
  const dataDir = temporaryDirectory();

  beforeAll(async () => {
    const env = { DATA_DIR: dataDir.path };
    await ingestDrillCourse(env);
    docent = await startDocent(env);
  }, 120_000);

  afterAll(async () => {
    await docent?.stop();
    dataDir?.remove();
  });

  it(`serves ${SOAK_SECONDS} s of mixed load without an error and without growing in memory`, async () => {
    const counts = new Map<string, number>();
    const errors: string[] = [];
    const record = (kind: string, ok: boolean, detail: string) => {
      counts.set(kind, (counts.get(kind) ?? 0) + 1);
      if (!ok && errors.length < 20) errors.push(`${kind}: ${detail}`);
    };
    const get = async (kind: string, path: string, cookie = '') => {
      const response = await fetch(`${docent.url}${path}`, { headers: cookie ? { cookie } : {} }).catch((error: unknown) => String(error));
      if (typeof response === 'string') return record(kind, false, response);
      await response.arrayBuffer();
      record(kind, response.status === 200, `${response.status} ${path}`);
    };

    /** One reader's visit: a question, a follow-up, feedback, their history, a search and a page. */
    const visit = async (loop: number, round: number) => {
      const question = QUESTIONS[(loop + round) % QUESTIONS.length] ?? 'What is URDF?';
      const first = await ask(docent.url, { message: question, page_url: '/docs/ros2/urdf-robot-description' });
      record('chat', first.done !== undefined, `${first.status} ${first.error?.code ?? first.failure ?? ''}`);
      if (!first.done || !first.threadId) return;
      const followUp = await ask(docent.url, { message: 'And why does that matter?', thread_id: first.threadId }, first.cookie);
      record('chat follow-up', followUp.done !== undefined, `${followUp.status} ${followUp.error?.code ?? followUp.failure ?? ''}`);
      const feedback = await fetch(`${docent.url}/api/v1/messages/${first.done.messageId}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: first.cookie ?? '' },
        body: JSON.stringify({ rating: round % 2 === 0 ? 'up' : 'down', comment: 'soak' }),
      });
      record('feedback', feedback.ok, `${feedback.status}`);
      await get('history', '/api/v1/threads', first.cookie);
      await get('history', `/api/v1/threads/${first.threadId}/messages`, first.cookie);
      await get('search', `/api/v1/search?q=${encodeURIComponent(question)}&k=5`);
      await get('course page', '/docs/control/locomotion-and-balance');
      await get('operations', '/health');
      await get('operations', '/metrics');
    };

    const rssSamples: { at: number; rss: number }[] = [];
    const sampler = setInterval(() => rssSamples.push({ at: performance.now(), rss: docent.rssBytes() }), 1_000);
    const load = new AbortController();
    const rounds = Array<number>(LOOPS).fill(0);
    const started = performance.now();
    const loadFinished = runLoad(LOOPS, load.signal, async (loop) => visit(loop, (rounds[loop] = (rounds[loop] ?? 0) + 1)));

    await new Promise((resolve) => setTimeout(resolve, WARM_UP_SECONDS * 1000));
    const soakStarted = performance.now();
    await new Promise((resolve) => setTimeout(resolve, SOAK_SECONDS * 1000));
    const soakEnded = performance.now();
    load.abort();
    await loadFinished;
    clearInterval(sampler);
    // RSS moves with each garbage collection; the median of a window says where it stands.
    const baseline = medianRss(rssSamples, soakStarted, soakStarted + WINDOW_MS);
    const final = medianRss(rssSamples, soakEnded - WINDOW_MS, soakEnded);

    expect(errors).toEqual([]);
    const requests = [...counts.values()].reduce((sum, count) => sum + count, 0);
    expect(requests).toBeGreaterThan(SOAK_SECONDS * 5);
    const growth = (final - baseline) / baseline;
    const peak = Math.max(...rssSamples.filter((sample) => sample.at >= soakStarted).map((sample) => sample.rss));
    reportFigure('soak', {
      seconds: SOAK_SECONDS,
      warm_up_seconds: WARM_UP_SECONDS,
      concurrent_readers: LOOPS,
      requests,
      requests_per_second: Math.round(requests / ((performance.now() - started) / 1000)),
      ...Object.fromEntries([...counts].map(([kind, count]) => [`${kind.replaceAll(/[ -]/g, '_')}_requests`, count])),
      errors: errors.length,
      rss_first_10s_median_mib: Math.round(baseline / MiB),
      rss_peak_mib: Math.round(peak / MiB),
      rss_last_10s_median_mib: Math.round(final / MiB),
      rss_growth_percent: Math.round(growth * 1000) / 10,
    });
    expect(growth).toBeLessThan(0.1);
  });
});
