/**
 * What the reliability drills share: a Docent server as a real process (so an outage hits it the
 * way it would in production, and its memory can be read), a course ingested before it starts,
 * and a client that records every question's outcome — status, request ID, events — without
 * throwing, so a drill can judge all of them afterwards.
 */
import { readFileSync, rmSync } from 'node:fs';
import { ingestCourse } from '@docent/ingest';
import { errorResponseSchema, type ChatStreamEvent } from '@docent/protocol';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { DOCS_ROUTE_BASE } from '../../../src/knowledge/bundled-course.js';
import { temporaryDirectory } from '../../helpers/app.js';
import { answerText, chatTestDocs, postChat, readEvents } from '../../helpers/chat.js';
import { spawnServer, type ServerProcess } from '../../helpers/process.js';

/** Drills ask many questions from one address; the limit is drilled on its own. */
export const UNLIMITED = { RATE_LIMIT_CHAT_PER_MINUTE: '1000000', RATE_LIMIT_AUTH_PER_MINUTE: '1000000', RATE_LIMIT_SEARCH_PER_MINUTE: '1000000' };

/** Ingests two chapters of the bundled course into the database (and vector store) `env` points at. */
export async function ingestDrillCourse(env: Record<string, string>): Promise<void> {
  const docs = chatTestDocs();
  const app = await buildApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: docs.path, ...env }));
  try {
    const report = await ingestCourse({ docsDir: docs.path, routeBase: DOCS_ROUTE_BASE, reset: false, dryRun: false }, app.knowledge);
    if (report.chunks === 0) throw new Error('the drill course produced no chunks');
  } finally {
    await app.close();
    docs.remove();
  }
}

export interface DocentProcess {
  url: string;
  pid: number;
  process: ServerProcess;
  /** Resident memory of the server process now, in bytes (from /proc). */
  rssBytes(): number;
  /** Every JSON log line so far. */
  logLines(): Record<string, unknown>[];
  stop(): Promise<void>;
}

/** `npm start`'s server as a child process with `env` (plus a data directory of its own). */
export async function startDocent(env: Record<string, string>): Promise<DocentProcess> {
  const dataDir = env.DATA_DIR ?? temporaryDirectory().path;
  const server = spawnServer({ NODE_ENV: 'development', DATA_DIR: dataDir, ...UNLIMITED, ...env });
  const url = await server.listening;
  const pid = server.child.pid ?? 0;
  return {
    url,
    pid,
    process: server,
    rssBytes: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
    logLines: () =>
      server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stop: async () => {
      if (server.child.exitCode === null) server.child.kill('SIGTERM');
      await server.exited;
      if (env.DATA_DIR === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ChatOutcome {
  /** HTTP status; 0 when the request never got an answer (connection refused or reset). */
  status: number;
  /** The response's `X-Request-ID`. */
  requestId: string | null;
  events: ChatStreamEvent[];
  /** The error the reader was shown: the JSON error body, or the stream's `error` event. */
  error: { code: string; message: string; request_id: string } | undefined;
  threadId: string | undefined;
  /** Set when the stream ended with `done`: the answer is acknowledged as stored. */
  done: { messageId: string; answer: string } | undefined;
  startedAt: number;
  endedAt: number;
  /** The network failure, when status is 0. */
  failure?: string;
}

/** Asks one question over SSE and records what came back; never throws. */
export async function ask(
  url: string,
  body: Record<string, unknown>,
  cookie?: string,
  headers: Record<string, string> = {},
): Promise<ChatOutcome & { cookie: string | undefined }> {
  const startedAt = performance.now();
  const outcome = { status: 0, requestId: null, events: [], error: undefined, threadId: undefined, done: undefined, startedAt, endedAt: startedAt, cookie };
  try {
    const { response, cookie: nextCookie } = await postChat(url, body, { ...(cookie ? { cookie } : {}), headers, signal: AbortSignal.timeout(20_000) });
    const answered = { ...outcome, status: response.status, requestId: response.headers.get('x-request-id'), cookie: nextCookie };
    if (!response.headers.get('content-type')?.includes('text/event-stream')) {
      const parsed = errorResponseSchema.safeParse(await response.json());
      return { ...answered, error: parsed.success ? parsed.data.error : undefined, endedAt: performance.now() };
    }
    const { events } = await readEvents(response);
    const thread = events.find((event) => event.event === 'thread');
    const done = events.find((event) => event.event === 'done');
    const error = events.find((event) => event.event === 'error');
    return {
      ...answered,
      events,
      threadId: thread?.event === 'thread' ? thread.data.thread_id : undefined,
      done: done?.event === 'done' ? { messageId: done.data.message_id, answer: answerText(events) } : undefined,
      error: error?.event === 'error' ? error.data : undefined,
      endedAt: performance.now(),
    };
  } catch (error) {
    return { ...outcome, endedAt: performance.now(), failure: String(error) };
  }
}

/** Runs `worker` on `concurrency` loops until `signal` aborts; resolves when all loops have stopped. */
export async function runLoad(concurrency: number, signal: AbortSignal, worker: (loop: number) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      while (!signal.aborted) await worker(loop);
    }),
  );
}

export interface HealthSample {
  /** When the probe was sent and when its answer arrived (`performance.now()`). */
  at: number;
  answeredAt: number;
  /** 0 when no answer came. */
  status: number;
}

/** Polls `/health` every `intervalMs` and keeps every answer with its time. */
export function pollHealth(url: string, intervalMs: number): { samples: HealthSample[]; stop(): void } {
  const samples: HealthSample[] = [];
  let running = true;
  void (async () => {
    while (running) {
      const at = performance.now();
      const status = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3_000) }).then(
        (response) => response.status,
        () => 0,
      );
      samples.push({ at, answeredAt: performance.now(), status });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return { samples, stop: () => void (running = false) };
}

export const QUESTIONS = [
  'What does a URDF file describe?',
  'How does a humanoid robot keep its balance?',
  'What is a joint in URDF?',
  'What is the zero moment point?',
  'How are links connected in a robot description?',
  'Why does walking need a controller?',
];
