import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BundledRuntime } from './bundled-embedder.js';
import type { ThreadReply, ThreadRequest } from './bundled-model-messages.js';
import type { EmbedOptions, Embedder } from './embedder.js';

/**
 * Texts per message to the worker. Bulk work (ingestion) is cut into pieces this small so a
 * reader's question waits for at most one piece (~30 ms natively, ~0.3 s on WebAssembly) before it
 * jumps the queue.
 */
const PIECE_SIZE = 4;

/**
 * How the worker starts. Compiled (server/dist, `npm start`, the image): its own .js entry file,
 * with the parent's node options (so `--conditions=docent-compiled` applies there too). From
 * TypeScript (tests, benches, the dev scripts): the worker registers tsx before importing its
 * entry point (a worker does not inherit `--import tsx`, and vitest's runner does not apply there).
 */
const RUNNING_COMPILED = import.meta.url.endsWith('.js');
function startWorker(): Worker {
  if (RUNNING_COMPILED) return new Worker(new URL('./bundled-model-thread.js', import.meta.url));
  const entry = new URL('./bundled-model-thread.ts', import.meta.url).href;
  return new Worker(`import { register } from ${JSON.stringify(tsxRegisterModule())}; register(); await import(${JSON.stringify(entry)});`, { eval: true });
}

/**
 * Bulk pieces waiting before a helper thread is worth starting: loading the model takes about a
 * second, so a helper pays off only for a real ingest, not for a few changed passages.
 */
const HELPER_MIN_QUEUED_PIECES = 4;
/** An idle helper stops after this long: ingestion pauses between batches to write them. */
const HELPER_IDLE_MS = 2_000;

/** Time a stopping worker gets to finish its job (a piece takes milliseconds natively) before it is terminated. */
const STOP_GRACE_MS = 5_000;

type LoadedModel = Extract<ThreadReply, { type: 'ready' }>;

interface Job {
  texts: string[];
  resolve: (vectors: Float32Array[]) => void;
  reject: (error: Error) => void;
}

/** One worker thread holding the model, computing one job at a time. */
interface Slot {
  worker: Worker | undefined;
  running: { number: number; job: Job } | undefined;
  /** Helpers take bulk work only and stop once it runs out; the first slot also answers readers. */
  helper: boolean;
  retirement?: NodeJS.Timeout | undefined;
}

export interface BundledModelOptions {
  /**
   * Threads that embed bulk work (ingestion) at once, each with its own copy of the model (about
   * 80 MiB natively, 150 MiB on WebAssembly, while it works). Helpers beyond the first start when
   * an ingest queues enough work and stop when it is done. Default 1: the server's memory budget;
   * `npm run ingest` uses 2.
   */
  bulkThreads?: number;
}

/**
 * The bundled model on a worker thread of its own, so embedding never stalls request handling.
 * Three views share the one model, served in this order: `query` (readers' questions),
 * `sentences` (an answer's candidate sentences, in pieces, so a question overtakes them) and
 * `bulk` (ingestion), which may also spread over helper threads (see BundledModelOptions). A
 * crashed worker fails the job it held and is started again on the next job.
 */
export class BundledModelThread {
  readonly query: Embedder;
  readonly sentences: Embedder;
  readonly bulk: Embedder;
  private readonly slots: Slot[] = [];
  private readonly urgent: Job[] = [];
  private readonly answering: Job[] = [];
  private readonly background: Job[] = [];
  private jobCounter = 0;
  private closed = false;

  private constructor(
    private readonly model: LoadedModel,
    worker: Worker,
    private readonly bulkThreads: number,
  ) {
    this.query = this.view((texts) => this.enqueue(texts, this.urgent));
    this.sentences = this.view((texts, options) => this.embedInPieces(texts, this.answering, options?.signal));
    this.bulk = this.view((texts, options) => this.embedInPieces(texts, this.background, options?.signal));
    const first: Slot = { worker: undefined, running: undefined, helper: false };
    this.slots.push(first);
    this.attach(first, worker);
  }

  static async start(options: BundledModelOptions = {}): Promise<BundledModelThread> {
    const worker = startWorker();
    const model = await new Promise<LoadedModel>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (reply: ThreadReply) => {
        worker.off('error', reject);
        if (reply.type === 'ready') resolve(reply);
        else reject(new Error(`the bundled embedding model did not load: ${reply.type === 'load-failed' ? reply.message : reply.type}`));
      });
    });
    return new BundledModelThread(model, worker, Math.max(1, Math.floor(options.bulkThreads ?? 1)));
  }

  /** The engine computing the model, and why it is not the native one when it is not: for the startup log. */
  get runtime(): { runtime: BundledRuntime; fallbackReason?: string | undefined } {
    return { runtime: this.model.runtime, fallbackReason: this.model.fallbackReason };
  }

  /** Worker threads running now (the first, plus helpers while an ingest keeps them busy). */
  get threads(): number {
    return this.slots.filter((slot) => slot.worker !== undefined).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = this.slots.flatMap((slot) => (slot.worker ? [slot.worker] : []));
    for (const slot of this.slots) {
      clearTimeout(slot.retirement);
      slot.worker = undefined;
    }
    this.failAll(new Error('the embedding model was shut down'));
    await Promise.all(workers.map(stopWorker));
  }

  private view(embed: (texts: string[], options?: EmbedOptions) => Promise<Float32Array[]>): Embedder {
    return { id: this.model.id, dimensions: this.model.dimensions, embed: async (texts, options) => (texts.length === 0 ? [] : embed([...texts], options)) };
  }

  /**
   * Work in pieces behind readers' questions. On abort, the pieces still queued are dropped and
   * the call rejects at once: a shutdown waits for at most the pieces the workers are computing.
   */
  private async embedInPieces(texts: string[], queue: Job[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    signal?.throwIfAborted();
    const queued: Job[] = [];
    const pieces: Promise<Float32Array[]>[] = [];
    for (let start = 0; start < texts.length; start += PIECE_SIZE) {
      pieces.push(this.enqueue(texts.slice(start, start + PIECE_SIZE), queue, (job) => queued.push(job)));
    }
    const dropQueued = () => {
      for (const job of queued) {
        const index = queue.indexOf(job);
        if (index === -1) continue;
        queue.splice(index, 1);
        job.reject(signal?.reason instanceof Error ? signal.reason : new Error('embedding abandoned'));
      }
    };
    signal?.addEventListener('abort', dropQueued, { once: true });
    try {
      return (await Promise.all(pieces)).flat();
    } finally {
      signal?.removeEventListener('abort', dropQueued);
    }
  }

  private enqueue(texts: string[], queue: Job[], queued?: (job: Job) => void): Promise<Float32Array[]> {
    if (this.closed) return Promise.reject(new Error('the embedding model was shut down'));
    return new Promise((resolve, reject) => {
      const job = { texts, resolve, reject };
      queue.push(job);
      queued?.(job);
      this.dispatch();
    });
  }

  /**
   * One job at a time goes to each worker, so a question queued behind bulk work overtakes it.
   * Helpers are added while enough bulk work waits, up to `bulkThreads`.
   */
  private dispatch(): void {
    if (this.closed) return;
    for (const slot of [...this.slots]) this.feed(slot);
    while (this.background.length >= HELPER_MIN_QUEUED_PIECES && this.slots.length < this.bulkThreads) {
      const helper: Slot = { worker: undefined, running: undefined, helper: true };
      this.slots.push(helper);
      this.feed(helper);
    }
  }

  private feed(slot: Slot): void {
    if (slot.running) return;
    const job = (slot.helper ? undefined : (this.urgent.shift() ?? this.answering.shift())) ?? this.background.shift();
    if (!job) {
      // Idle: an idle worker must not keep a finished command-line process alive.
      slot.worker?.unref();
      if (slot.helper) slot.retirement ??= setTimeout(() => this.retire(slot), HELPER_IDLE_MS).unref();
      return;
    }
    clearTimeout(slot.retirement);
    slot.retirement = undefined;
    const worker = slot.worker ?? this.attach(slot, startWorker());
    worker.ref();
    this.jobCounter += 1;
    slot.running = { number: this.jobCounter, job };
    worker.postMessage({ type: 'embed', job: this.jobCounter, texts: job.texts } satisfies ThreadRequest);
  }

  /** Out of bulk work: the helper's thread and its copy of the model go back to the system. */
  private retire(slot: Slot): void {
    if (slot.running || !this.slots.includes(slot)) return;
    this.slots.splice(this.slots.indexOf(slot), 1);
    const worker = slot.worker;
    slot.worker = undefined;
    if (worker) void stopWorker(worker);
  }

  private attach(slot: Slot, worker: Worker): Worker {
    slot.worker = worker;
    worker.on('message', (reply: ThreadReply) => {
      if (reply.type === 'load-failed') {
        // A restarted worker that cannot load the model fails what waits, rather than looping.
        slot.worker = undefined;
        void worker.terminate();
        this.failAll(new Error(`the bundled embedding model did not load: ${reply.message}`));
        return;
      }
      if ((reply.type !== 'vectors' && reply.type !== 'failed') || reply.job !== slot.running?.number) return;
      const { job } = slot.running;
      slot.running = undefined;
      if (reply.type === 'vectors') job.resolve(reply.vectors);
      else job.reject(new Error(`embedding failed: ${reply.message}`));
      this.dispatch();
    });
    worker.on('error', (error) => this.replaceCrashed(slot, worker, error));
    worker.on('exit', (code) => this.replaceCrashed(slot, worker, new Error(`the embedding worker exited with code ${code}`)));
    return worker;
  }

  private replaceCrashed(slot: Slot, worker: Worker, error: Error): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    const running = slot.running;
    slot.running = undefined;
    running?.job.reject(new Error(`embedding failed: ${error.message}`));
    // Queued jobs are still good: the next dispatch starts a fresh worker for them.
    this.dispatch();
  }

  private failAll(error: Error): void {
    const jobs = [...this.slots.flatMap((slot) => (slot.running ? [slot.running.job] : [])), ...this.urgent.splice(0), ...this.answering.splice(0), ...this.background.splice(0)];
    for (const slot of this.slots) slot.running = undefined;
    for (const job of jobs) job.reject(error);
  }
}

/**
 * Asks a worker to finish the job in hand, release the model and exit, and terminates it only if
 * it has not within STOP_GRACE_MS: terminating a thread in the middle of ONNX Runtime's native
 * call aborts the whole process ("terminate called after throwing an instance of 'Napi::Error'").
 */
async function stopWorker(worker: Worker): Promise<void> {
  if (worker.threadId === -1) return; // exited already
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  // An idle worker is unref'd; the process must not finish before this one has.
  worker.ref();
  worker.postMessage({ type: 'close' } satisfies ThreadRequest);
  const deadline = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
  await exited;
  clearTimeout(deadline);
}

/** tsx's ESM registration API, found from its package manifest (its CommonJS twin cannot register ESM hooks). */
function tsxRegisterModule(): string {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const entry = manifest.exports['./esm/api']?.import.default;
  if (!entry) throw new Error(`tsx at ${manifestPath} has no ESM register API`);
  return pathToFileURL(join(dirname(manifestPath), entry)).href;
}
