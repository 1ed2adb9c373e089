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

async function measure(target: 'bare' | 'docent', path: string, logLevel = 'info'): Promise<Measurement> {
  const server = await startTargetProcess('./http-target.ts', [target, logLevel]);
  try {
    const port = server.port;
    const url = `http://127.0.0.1:${port}${path}`;
    await autocannon({ url, connections: CONNECTIONS, duration: 2 }); // warm-up: JIT, pools
    const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_SECONDS });
    return {
      target: target === 'bare' ? 'bare Fastify' : `Docent, LOG_LEVEL=${logLevel}`,
      url_path: path,
      requests_per_second: Math.round(result.requests.average),
      latency_p50_ms: result.latency.p50,
      latency_p99_ms: result.latency.p99,
      non_2xx: result.non2xx,
      errors: result.errors,
    };
  } finally {
    server.stop();
  }
}

const bare = await measure('bare', '/');
const docent = await measure('docent', '/health');
// The same app without its per-request access log line, to show what that line costs.
const docentQuiet = await measure('docent', '/health', 'warn');
const ratio = docent.requests_per_second / bare.requests_per_second;
const quietRatio = docentQuiet.requests_per_second / bare.requests_per_second;
const results = {
  bench: 'http',
  measured_at: new Date().toISOString(),
  machine: { cpus: cpus().length, node: process.version },
  settings: { duration_seconds: DURATION_SECONDS, connections: CONNECTIONS },
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
