/**
 * Drill: the shared rate-limit store (a Redis of the drill's own) dies and comes back under a
 * small chat limit. Expected: while it is gone the limiter fails open — every question is
 * answered, a warning is logged and counted — and once it is back, limiting resumes by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ask, QUESTIONS, startDocent, ingestDrillCourse, type ChatOutcome, type DocentProcess } from './support/drill.js';
import { reportFigure } from './support/report.js';
import { createThrowawayRedis, type ThrowawayRedis } from './support/throwaway-redis.js';
import { temporaryDirectory } from '../helpers/app.js';

const LIMIT = 5;

describe('Redis outage drill', { timeout: 120_000 }, () => {
  let redis: ThrowawayRedis;
  let docent: DocentProcess;
  const dataDir = temporaryDirectory();

  beforeAll(async () => {
    redis = await createThrowawayRedis();
    await redis.start();
    const env = { REDIS_URL: redis.url, RATE_LIMIT_CHAT_PER_MINUTE: String(LIMIT), DATA_DIR: dataDir.path };
    await ingestDrillCourse(env);
    docent = await startDocent(env);
    // Until the first connection the limiter fails open as in an outage; the drill starts after it.
    await docent.process.waitForOutput(/rate-limit store \(Redis\) connected/);
  }, 120_000);

  afterAll(async () => {
    await docent?.stop();
    await redis?.crash();
    dataDir?.remove();
  });

  const askMany = async (count: number): Promise<ChatOutcome[]> => {
    const outcomes: ChatOutcome[] = [];
    for (let index = 0; index < count; index += 1) outcomes.push(await ask(docent.url, { message: QUESTIONS[index % QUESTIONS.length] ?? 'What is URDF?' }));
    return outcomes;
  };
  const statuses = (outcomes: ChatOutcome[]) => outcomes.map((outcome) => outcome.status);
  const storeErrors = async () =>
    Number(/^docent_rate_limit_store_errors_total (\d+)/m.exec(await (await fetch(`${docent.url}/metrics/prometheus`)).text())?.[1] ?? 0);

  it('lets every question through with a warning while Redis is down, and limits again once it is back', async () => {
    const limited = await askMany(LIMIT + 3);
    expect(statuses(limited)).toEqual([...Array<number>(LIMIT).fill(200), 429, 429, 429]);

    const crashedAt = performance.now();
    await redis.crash();
    const duringOutage = await askMany(3 * LIMIT);
    // Fails open: all answered, although the limit was spent before the outage.
    expect(statuses(duringOutage)).toEqual(Array<number>(3 * LIMIT).fill(200));
    expect(duringOutage.every((outcome) => outcome.done)).toBe(true);
    const firstOpenAnswerMs = (duringOutage[0]?.endedAt ?? 0) - crashedAt;
    await docent.process.waitForOutput(/rate-limit store \(Redis\) unreachable/);
    expect(await storeErrors()).toBeGreaterThan(0);

    const returnedAt = await redis.start();
    await docent.process.waitForOutput(/rate-limit store \(Redis\) reachable again/);
    const reconnectedMs = performance.now() - returnedAt;
    // The restarted Redis is empty: a fresh allowance, then 429 again — shared limiting is back.
    const afterReturn = await askMany(LIMIT + 2);
    expect(statuses(afterReturn)).toEqual([...Array<number>(LIMIT).fill(200), 429, 429]);
    expect(afterReturn.at(-1)?.error?.code).toBe('rate_limited');
    expect(afterReturn.at(-1)?.error?.request_id).toBe(afterReturn.at(-1)?.requestId);

    reportFigure('redis_outage', {
      answered_while_redis_down: duringOutage.length,
      failed_while_redis_down: duringOutage.filter((outcome) => outcome.status !== 200).length,
      first_answer_ms_after_crash: Math.round(firstOpenAnswerMs),
      limits_again_ms_after_return: Math.round(reconnectedMs),
      redis_connection_errors_counted: await storeErrors(),
    });
  });
});
