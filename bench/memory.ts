/**
 * `npm run bench:memory`: resident memory (RSS, from /proc) of `npm start`'s server on the embedded
 * default, in production mode: right after it ingested the bundled course on a first start, idle
 * after a restart, and under chat load (16 readers at once for LOAD_SECONDS). Reference: bare
 * Fastify idle, in the same run. Writes `bench/results/memory.json`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chatOnce, EVAL_QUESTIONS, percentile, startTargetProcess } from './bench-support.js';

const LOAD_SECONDS = Number(process.env.BENCH_MEMORY_LOAD_SECONDS ?? 20);
const SETTLE_MS = 5_000;
const CONCURRENCY = 16;
const MiB = 1024 * 1024;
const RESULTS_FILE = fileURLToPath(new URL('./results/memory.json', import.meta.url));

const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const mib = (bytes: number) => Math.round(bytes / MiB);

/** The real server (server/src/main.ts) in production mode; resolves once its log says `pattern`. */
async function startDocent(dataDir: string, pattern: RegExp): Promise<{ child: ChildProcess; url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../server/src/main.ts', import.meta.url))], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      PORT: '0',
      DATA_DIR: dataDir,
      SECRET_KEY: 'b'.repeat(64),
      CORS_ORIGINS: 'https://bench.example.com',
      PUBLIC_URL: 'https://bench.example.com',
      REQUIRE_EMAIL_VERIFICATION: 'false',
      RATE_LIMIT_CHAT_PER_MINUTE: '1000000',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  let url = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      // Keep only the tail: the access log of a load test would otherwise pile up here.
      output = (output + chunk.toString()).slice(-20_000);
      url ||= /Docent is listening on (http:\/\/[^\s)]+)/.exec(output)?.[1] ?? '';
      if (url && pattern.test(output)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the server exited with code ${code}:\n${output}`)));
  });
  return {
    child,
    url,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function chatLoad(url: string, pid: number): Promise<{ chats: number; failed: number; rss: number[] }> {
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(rssOf(pid)), 500);
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
  clearInterval(sampler);
  return { chats, failed, rss };
}

const dataDir = mkdtempSync(join(tmpdir(), 'docent-bench-memory-'));
try {
  // First start: the embedded database is empty, so the server ingests the bundled course.
  const first = await startDocent(dataDir, /bundled course ingested/);
  await sleep(SETTLE_MS);
  const afterIngest = rssOf(first.child.pid ?? 0);
  await first.stop();

  // Restart on the same data: a server with its course, serving nobody.
  const second = await startDocent(dataDir, /Docent is listening/);
  await sleep(SETTLE_MS);
  const idle = rssOf(second.child.pid ?? 0);
  const load = await chatLoad(second.url, second.child.pid ?? 0);
  await sleep(SETTLE_MS);
  const afterLoad = rssOf(second.child.pid ?? 0);
  await second.stop();

  const bare = await startTargetProcess('./http-target.ts', ['bare']);
  await sleep(SETTLE_MS);
  const bareIdle = rssOf(bare.pid);
  bare.stop();

  const results = {
    bench: 'memory',
    measured_at: new Date().toISOString(),
    settings: { load_seconds: LOAD_SECONDS, concurrency: CONCURRENCY, database: 'pglite (embedded)', generator: 'extractive' },
    rss_mib: {
      after_ingesting_bundled_course: mib(afterIngest),
      idle_after_restart: mib(idle),
      under_chat_load_p50: mib(percentile(load.rss, 0.5, 0)),
      under_chat_load_max: mib(Math.max(...load.rss)),
      after_load: mib(afterLoad),
      reference_bare_fastify_idle: mib(bareIdle),
    },
    chat_load: { chats: load.chats, failed: load.failed, chats_per_second: Math.round((load.chats / LOAD_SECONDS) * 10) / 10 },
  };
  console.table(Object.entries(results.rss_mib).map(([state, value]) => ({ state, 'RSS MiB': value })));
  console.log(`Chat load: ${load.chats} chats in ${LOAD_SECONDS} s at concurrency ${CONCURRENCY}, ${load.failed} failed`);
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`Wrote ${RESULTS_FILE}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
