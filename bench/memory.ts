/**
 * `npm run bench:memory`: resident memory (RSS, from /proc) of the server as `npm start` and the
 * image run it (compiled JavaScript, production mode), in both shapes, beside issue 19's budgets
 * and the 512 MB plan of the original design:
 * - embedded default (PGlite in DATA_DIR): peak while a first start ingests the bundled course;
 * - production shape (PostgreSQL + pgvector): peak while `POST /api/v1/admin/ingest` fills it;
 * then, for each, idle after a restart and under chat load (16 readers at once for LOAD_SECONDS).
 * Reference: bare Fastify idle, in the same run. Writes `bench/results/memory.json`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chatOnce, EVAL_QUESTIONS, percentile, startTargetProcess } from './bench-support.js';
import { createScratchPostgres } from './scratch-database.js';

const LOAD_SECONDS = Number(process.env.BENCH_MEMORY_LOAD_SECONDS ?? 20);
const SETTLE_MS = 5_000;
const SAMPLE_MS = 250;
const CONCURRENCY = 16;
const MiB = 1024 * 1024;
const PLAN_MIB = 512;
const REPO = fileURLToPath(new URL('../', import.meta.url));
const RESULTS_FILE = fileURLToPath(new URL('./results/memory.json', import.meta.url));
/**
 * The node options of `npm start` (and so of the image's CMD, which a test keeps identical): what
 * is measured is what ships, young-generation size included.
 */
const COMPILED = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split(' ')
  .filter((argument) => argument.startsWith('--'));

/** Issue 19's budgets, in MiB. */
export const MEMORY_BUDGETS = {
  embedded: { peak_during_ingest: 512, idle: 384, under_chat_load_max: 512 },
  production: { peak_during_ingest: 384, idle: 256, under_chat_load_max: 384 },
} as const;
type Shape = keyof typeof MEMORY_BUDGETS;

const statusField = (pid: number, field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const rssOf = (pid: number): number => statusField(pid, 'VmRSS');
const mib = (bytes: number) => Math.round(bytes / MiB);

/** Samples a process's RSS every SAMPLE_MS until stopped; returns the samples. */
function sampleRss(pid: number): { stop(): number[] } {
  const samples: number[] = [rssOf(pid)];
  const timer = setInterval(() => samples.push(rssOf(pid)), SAMPLE_MS);
  return { stop: () => (clearInterval(timer), samples.push(rssOf(pid)), samples) };
}

function serverEnv(dataDir: string, databaseUrl: string | undefined): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    PORT: '0',
    DATA_DIR: dataDir,
    SECRET_KEY: randomBytes(32).toString('hex'),
    CORS_ORIGINS: 'https://bench.example.com',
    PUBLIC_URL: 'https://bench.example.com',
    REQUIRE_EMAIL_VERIFICATION: 'false',
    RATE_LIMIT_CHAT_PER_MINUTE: '1000000',
    RATE_LIMIT_CHAT_PER_ADDRESS_PER_MINUTE: '1000000',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
  };
}

/** The compiled server (`npm start`'s command); resolves once it listens. `logged(pattern)` waits for a log line. */
async function startDocent(env: Record<string, string>) {
  const child = spawn(process.execPath, [...COMPILED, join(REPO, 'server/dist/main.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      // Keep only the tail: the access log of a load test would otherwise pile up here.
      output = (output + chunk.toString()).slice(-20_000);
      const listening = /Docent is listening on (http:\/\/[^\s)]+)/.exec(output)?.[1];
      if (listening) resolve(listening);
      for (const waiter of waiters.filter((candidate) => candidate.pattern.test(output))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited with code ${code}:\n${output}`)));
  });
  return {
    pid: child.pid ?? 0,
    url,
    logged: (pattern: RegExp) => (pattern.test(output) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ pattern, resolve }))),
    stop: () => stopProcess(child),
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The production shape has no automatic ingest: an operator starts one through the admin API. */
async function ingestThroughAdminApi(url: string, env: Record<string, string>): Promise<void> {
  const token = execFileSync(process.execPath, [...COMPILED, join(REPO, 'server/dist/cli/admin.js'), 'create-token', '--name', 'bench'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const started = await fetch(`${url}/api/v1/admin/ingest`, { method: 'POST', headers, body: '{}' });
  if (started.status !== 202) throw new Error(`admin ingest answered ${started.status}: ${await started.text()}`);
  for (;;) {
    await sleep(500);
    const status = (await (await fetch(`${url}/api/v1/admin/ingest`, { headers })).json()) as { status: string; error: string | null };
    if (status.status === 'succeeded') return;
    if (status.status !== 'running') throw new Error(`admin ingest ${status.status}: ${status.error}`);
  }
}

async function chatLoad(url: string, pid: number): Promise<{ chats: number; failed: number; rss: number[] }> {
  const sampler = sampleRss(pid);
  let chats = 0;
  let failed = 0;
  const deadline = performance.now() + LOAD_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, reader) => {
      for (let turn = 0; performance.now() < deadline; turn += 1) {
        const question = `${EVAL_QUESTIONS[(reader * 7 + turn) % EVAL_QUESTIONS.length]?.question} (${reader}.${turn})`;
        const { ok } = await chatOnce(url, question);
        chats += 1;
        if (!ok) failed += 1;
      }
    }),
  );
  return { chats, failed, rss: sampler.stop() };
}

async function measureShape(shape: Shape, databaseUrl: string | undefined) {
  const dataDir = mkdtempSync(join(tmpdir(), 'docent-bench-memory-'));
  try {
    const env = serverEnv(dataDir, databaseUrl);
    // First start: ingest the bundled course (automatically on the embedded default).
    const first = await startDocent(env);
    const during = sampleRss(first.pid);
    if (shape === 'embedded') await first.logged(/bundled course ingested/);
    else await ingestThroughAdminApi(first.url, env);
    const ingestSamples = during.stop();
    await sleep(SETTLE_MS);
    const afterIngest = rssOf(first.pid);
    // The kernel's high-water mark: includes moments the sampler can miss, and the first start's initdb.
    const highWater = statusField(first.pid, 'VmHWM');
    await first.stop();

    // Restart on the same data: a server with its course, serving nobody, then 16 readers.
    const second = await startDocent(env);
    await sleep(SETTLE_MS);
    const idle = rssOf(second.pid);
    const load = await chatLoad(second.url, second.pid);
    await sleep(SETTLE_MS);
    const afterLoad = rssOf(second.pid);
    await second.stop();
    return {
      rss_mib: {
        peak_during_ingest: mib(Math.max(...ingestSamples)),
        after_ingest: mib(afterIngest),
        first_start_high_water: mib(highWater),
        idle: mib(idle),
        under_chat_load_p50: mib(percentile(load.rss, 0.5, 0)),
        under_chat_load_max: mib(Math.max(...load.rss)),
        after_load: mib(afterLoad),
      },
      chat_load: { chats: load.chats, failed: load.failed, chats_per_second: Math.round((load.chats / LOAD_SECONDS) * 10) / 10 },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

execFileSync(process.execPath, [join(REPO, 'server/compile.mjs'), '--quiet'], { stdio: 'inherit' });
// `npm run bench:memory -- embedded` measures one shape (the other keeps its last result).
const only = process.argv[2] as Shape | undefined;
const previous = only ? (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<Shape, Awaited<ReturnType<typeof measureShape>>>) : undefined;
const embedded = only === 'production' && previous ? previous.embedded : await measureShape('embedded', undefined);
const production =
  only === 'embedded' && previous
    ? previous.production
    : await createScratchPostgres().then((scratch) => measureShape('production', scratch.url).finally(() => scratch.drop()));
const bare = await startTargetProcess('./http-target.ts', ['bare']);
await sleep(SETTLE_MS);
const bareIdle = mib(rssOf(bare.pid));
bare.stop();

const results = {
  bench: 'memory',
  measured_at: new Date().toISOString(),
  settings: { load_seconds: LOAD_SECONDS, concurrency: CONCURRENCY, sample_ms: SAMPLE_MS, generator: 'extractive', server: 'compiled JavaScript (npm start, the image CMD)' },
  plan_mib: PLAN_MIB,
  budgets_mib: MEMORY_BUDGETS,
  embedded: { database: 'pglite (embedded)', ...embedded },
  production: { database: 'postgresql + pgvector', ...production },
  reference_bare_fastify_idle_mib: bareIdle,
};
const rows = (['embedded', 'production'] as const).flatMap((shape) =>
  Object.entries(results[shape].rss_mib).map(([state, value]) => {
    const budget = (MEMORY_BUDGETS[shape] as Record<string, number>)[state];
    return { shape, state, 'RSS MiB': value, budget: budget ?? '', verdict: budget === undefined ? '' : value <= budget ? 'within' : 'OVER' };
  }),
);
console.table(rows);
console.log(`Plan: ${PLAN_MIB} MB. Bare Fastify idle: ${bareIdle} MiB.`);
for (const shape of ['embedded', 'production'] as const) {
  const { chats, failed } = results[shape].chat_load;
  console.log(`Chat load (${shape}): ${chats} chats in ${LOAD_SECONDS} s at concurrency ${CONCURRENCY}, ${failed} failed`);
}
writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
console.log(`Wrote ${RESULTS_FILE}`);
