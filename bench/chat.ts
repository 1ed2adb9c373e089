/**
 * `npm run bench:chat`: the extractive chat path end to end over HTTP — time to the first answer
 * text (`delta` event) and completed chats per second, at concurrency 1 and 16, on PGlite and on
 * PostgreSQL. Questions are the eval's (course/eval/questions.jsonl), each asked once per level so
 * no query-embedding cache hides the model's cost. Writes `bench/results/chat.json`.
 * Goal: first delta ≤ 50 ms p50 at concurrency 1.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chatOnce, EVAL_QUESTIONS, percentile, startTargetProcess } from './bench-support.js';

const LEVELS = [1, 16];
const RESULTS_FILE = fileURLToPath(new URL('./results/chat.json', import.meta.url));
const QUESTIONS = EVAL_QUESTIONS.map((entry) => entry.question);

async function startTarget(backend: string): Promise<{ url: string; stop(): void }> {
  const server = await startTargetProcess('./chat-target.ts', [backend]);
  return { url: `http://127.0.0.1:${server.port}`, stop: server.stop };
}

async function measure(url: string, concurrency: number, round: number) {
  // A fresh wording per round and level, so the query-embedding cache never answers.
  const questions = Array.from({ length: Math.max(40, concurrency * 8) }, (_, index) => `${QUESTIONS[index % QUESTIONS.length]} (${round}.${index})`);
  const samples: { firstDeltaMs: number; totalMs: number; ok: boolean }[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < questions.length) samples.push(await chatOnce(url, questions[next++] as string));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const firstDeltas = samples.map((sample) => sample.firstDeltaMs).filter((value) => !Number.isNaN(value));
  return {
    concurrency,
    chats: samples.length,
    failed: samples.filter((sample) => !sample.ok).length,
    first_delta_ms: { p50: percentile(firstDeltas, 0.5, 1), p95: percentile(firstDeltas, 0.95, 1) },
    chat_ms: { p50: percentile(samples.map((sample) => sample.totalMs), 0.5, 1) },
    chats_per_second: Math.round((samples.length / seconds) * 10) / 10,
  };
}


const results: Record<string, unknown[]> = {};
const rows: Record<string, string | number>[] = [];
for (const backend of ['pglite', 'postgres']) {
  const target = await startTarget(backend);
  try {
    await measure(target.url, 4, 0); // warm-up: JIT, pools, the model's first calls
    results[backend] = [];
    for (const [round, concurrency] of LEVELS.entries()) {
      const measured = await measure(target.url, concurrency, round + 1);
      results[backend].push(measured);
      rows.push({
        backend,
        concurrency,
        chats: measured.chats,
        failed: measured.failed,
        'first delta p50 ms': measured.first_delta_ms.p50,
        'first delta p95 ms': measured.first_delta_ms.p95,
        'chat p50 ms': measured.chat_ms.p50,
        'chats/s': measured.chats_per_second,
      });
    }
  } finally {
    target.stop();
  }
}
console.table(rows);
const goal = rows.filter((row) => row.concurrency === 1).map((row) => `${row.backend} ${row['first delta p50 ms']} ms`);
console.log(`First delta p50 at concurrency 1 (goal ≤ 50 ms): ${goal.join(', ')}`);
writeFileSync(RESULTS_FILE, `${JSON.stringify({ bench: 'chat', measured_at: new Date().toISOString(), machine: { cpus: cpus().length, node: process.version }, generator: 'extractive', results }, null, 2)}\n`);
console.log(`Wrote ${RESULTS_FILE}`);
