/**
 * `npm run bench:http`: autocannon against `/health` of the full Docent app and against a bare
 * Fastify hello route, in the same run on the same machine. Prints both and their ratio; writes
 * `bench/results/http.json`. Goal: the full app serves at least 30% of bare Fastify's rate.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startTargetProcess } from './bench-support.js';

const DURATION_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
/**
 * Each target's seconds are split into rounds taken in turn (bare, Docent, Docent quiet, bare, …)
 * and each figure is the median round: on a shared two-core machine one 10 s run after another
 * differed by a third between runs (30% and 38% of bare Fastify on the same code), since whatever
 * else the machine did then fell on one target only.
 */
const ROUNDS = 5;
const CONNECTIONS = 50;
const RESULTS_FILE = fileURLToPath(new URL('./results/http.json', import.meta.url));

interface Measurement {
  target: string;
  url_path: string;
  requests_per_second: number;
  latency_p50_ms: number;
  latency_p99_ms: number;
  non_2xx: number;
  errors: number;
}

interface Target {
  name: string;
  path: string;
  server: Awaited<ReturnType<typeof startTargetProcess>>;
  rounds: autocannon.Result[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function summarize({ name, path, rounds }: Target): Measurement {
  return {
    target: name,
    url_path: path,
    requests_per_second: Math.round(median(rounds.map((round) => round.requests.average))),
    latency_p50_ms: median(rounds.map((round) => round.latency.p50)),
    latency_p99_ms: median(rounds.map((round) => round.latency.p99)),
    non_2xx: rounds.reduce((sum, round) => sum + round.non2xx, 0),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
  };
}

const url = (target: Target) => `http://127.0.0.1:${target.server.port}${target.path}`;
// The targets start one after another (each start is busy) and then sit idle while another is measured.
const targets: Target[] = [];
try {
  for (const [name, path, args] of [
    ['bare Fastify', '/', ['bare']],
    ['Docent, LOG_LEVEL=info', '/health', ['docent', 'info']],
    // The same app without its per-request access log line, to show what that line costs.
    ['Docent, LOG_LEVEL=warn', '/health', ['docent', 'warn']],
  ] as const) {
    targets.push({ name, path, server: await startTargetProcess('./http-target.ts', args), rounds: [] });
  }
  for (const target of targets) await autocannon({ url: url(target), connections: CONNECTIONS, duration: 2 }); // warm-up: JIT, pools
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const target of targets) target.rounds.push(await autocannon({ url: url(target), connections: CONNECTIONS, duration: DURATION_SECONDS / ROUNDS }));
  }
} finally {
  for (const target of targets) target.server.stop();
}
const [bare, docent, docentQuiet] = targets.map(summarize) as [Measurement, Measurement, Measurement];
const ratio = docent.requests_per_second / bare.requests_per_second;
const quietRatio = docentQuiet.requests_per_second / bare.requests_per_second;
const results = {
  bench: 'http',
  measured_at: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  settings: { duration_seconds: DURATION_SECONDS, rounds: ROUNDS, connections: CONNECTIONS },
  bare_fastify: bare,
  docent_health: docent,
  docent_health_without_access_log: docentQuiet,
  ratio_docent_to_bare: Math.round(ratio * 1000) / 1000,
  ratio_docent_without_access_log_to_bare: Math.round(quietRatio * 1000) / 1000,
  goal_ratio: 0.3,
  meets_goal: ratio >= 0.3,
};

console.table([bare, docent, docentQuiet].map(({ target, url_path, requests_per_second, latency_p50_ms, latency_p99_ms, non_2xx, errors }) => ({
  target, path: url_path, 'req/s': requests_per_second, 'p50 ms': latency_p50_ms, 'p99 ms': latency_p99_ms, non_2xx, errors,
})));
console.log(`Docent /health serves ${(ratio * 100).toFixed(1)}% of bare Fastify's rate (goal ≥ 30%: ${results.meets_goal ? 'met' : 'NOT met'}); ${(quietRatio * 100).toFixed(1)}% without the access log.`);
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
console.log(`Wrote ${RESULTS_FILE}`);
