import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BundledEmbedder } from '../../src/embed/bundled-embedder.js';
import { BundledModelThread } from '../../src/embed/bundled-model-thread-client.js';
import { cosineSimilarity } from '../../src/embed/embedder.js';

const SERVER_ROOT = fileURLToPath(new URL('../..', import.meta.url));

let thread: BundledModelThread;
beforeAll(async () => {
  thread = await BundledModelThread.start();
});
afterAll(async () => {
  await thread?.close();
});

describe('the bundled model on its worker thread', () => {
  it('returns the same vectors as the model in process, in order', async () => {
    const texts = ['A ROS 2 node publishes messages on a topic.', 'Zero moment point', ''];
    const [inProcess, threaded] = await Promise.all([BundledEmbedder.load().then((model) => model.embed(texts)), thread.bulk.embed(texts)]);
    expect(threaded).toHaveLength(3);
    threaded.forEach((vector, index) => expect(cosineSimilarity(vector, inProcess[index] as Float32Array)).toBeCloseTo(1, 4));
    expect(thread.query.id).toBe('bundled:universal-sentence-encoder-lite@1');
    expect(thread.query.dimensions).toBe(512);
  });

  it("answers a reader's question before a long ingestion that was queued first", async () => {
    const finished: string[] = [];
    const passages = Array.from({ length: 40 }, (_, index) => `Passage ${index}: the controller tracks joint ${index} with a PID loop.`);
    const bulk = thread.bulk.embed(passages).then((vectors) => {
      finished.push('bulk');
      return vectors;
    });
    const question = thread.query.embed(['how do I tune a PID controller?']).then((vectors) => {
      finished.push('question');
      return vectors;
    });
    const [bulkVectors, questionVectors] = await Promise.all([bulk, question]);
    expect(finished).toEqual(['question', 'bulk']);
    expect(bulkVectors).toHaveLength(40);
    expect(questionVectors).toHaveLength(1);
  });

  it("scores an answer's sentences after readers' questions and before ingestion", async () => {
    const finished: string[] = [];
    const note = (name: string) => (vectors: Float32Array[]) => {
      finished.push(name);
      return vectors;
    };
    const bulk = thread.bulk.embed(Array.from({ length: 24 }, (_, index) => `Passage ${index}: a servo holds joint ${index} at its target angle.`)).then(note('bulk'));
    const sentences = thread.sentences.embed(Array.from({ length: 8 }, (_, index) => `Sentence ${index} of the answer's passages.`)).then(note('sentences'));
    const question = thread.query.embed(['what holds a joint at its angle?']).then(note('question'));
    const [, sentenceVectors] = await Promise.all([bulk, sentences, question]);
    expect(finished).toEqual(['question', 'sentences', 'bulk']);
    expect(sentenceVectors).toHaveLength(8);
  });

  it('keeps the event loop free while the model computes', async () => {
    const passages = Array.from({ length: 24 }, (_, index) => `Section ${index} explains inverse kinematics for a six-axis arm in detail.`);
    let longestStallMs = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestStallMs = Math.max(longestStallMs, now - last);
      last = now;
    }, 5);
    await thread.bulk.embed(passages);
    clearInterval(timer);
    // In process, one four-text call blocks for ~300 ms; off-thread the 5 ms timer keeps ticking.
    expect(longestStallMs).toBeLessThan(100);
  });

  it('drops queued bulk work when its caller aborts (a shutdown mid-ingest), so what comes next need not wait', async () => {
    const events: string[] = [];
    const abort = new AbortController();
    const passages = Array.from({ length: 200 }, (_, index) => `Chapter ${index} covers the dynamics of a walking humanoid.`);
    const abandoned = thread.bulk.embed(passages, { signal: abort.signal }).then(
      () => events.push('abandoned ingest finished'),
      (error: unknown) => events.push(`abandoned ingest rejected: ${(error as Error).name}`),
    );
    // Once the worker is busy with the first piece, the ingest is abandoned.
    await thread.query.embed(['warm-up question']);
    abort.abort();
    const next = thread.bulk.embed(['The next job.']).then(() => events.push('next job finished'));
    await Promise.all([abandoned, next]);
    // At most the piece in the worker completes; the 49 others never run, and the next job is not behind them.
    expect(events).toEqual(['abandoned ingest rejected: AbortError', 'next job finished']);
  });

  it('spreads a long ingest over a second thread when allowed, keeps the order, and stops that thread afterwards', async () => {
    const pooled = await BundledModelThread.start({ bulkThreads: 2 });
    try {
      const passages = Array.from({ length: 48 }, (_, index) => `Lesson ${index} shows how ${index % 2 === 0 ? 'a gripper' : 'a wheel'} is modelled in URDF.`);
      let mostThreads = 0;
      const sampler = setInterval(() => (mostThreads = Math.max(mostThreads, pooled.threads)), 5);
      const [spread, single] = await Promise.all([pooled.bulk.embed(passages), thread.bulk.embed(passages)]);
      clearInterval(sampler);
      expect(mostThreads).toBe(2);
      expect(spread).toHaveLength(48);
      spread.forEach((vector, index) => expect(cosineSimilarity(vector, single[index] as Float32Array)).toBeCloseTo(1, 4));
      // The helper stops once the ingest is over (after a short grace for the next batch)...
      await vi.waitFor(() => expect(pooled.threads).toBe(1), { timeout: 5_000, interval: 50 });
      // ...and a handful of passages (a small update) never starts one.
      mostThreads = 0;
      const smallSampler = setInterval(() => (mostThreads = Math.max(mostThreads, pooled.threads)), 5);
      await pooled.bulk.embed(passages.slice(0, 8));
      clearInterval(smallSampler);
      expect(mostThreads).toBe(1);
    } finally {
      await pooled.close();
    }
  });

  it('refuses work once closed', async () => {
    const closing = await BundledModelThread.start();
    await closing.close();
    await expect(closing.query.embed(['anything'])).rejects.toThrow(/shut down/);
  });

  it('shuts down in the middle of an ingest without taking the process with it', async () => {
    // In a process of its own: stopping a thread inside ONNX Runtime's native call used to abort
    // the whole process (exit 134, "terminate called after throwing an instance of 'Napi::Error'"),
    // which is what a server stopped while it ingests does.
    const script = `
      const { BundledModelThread } = await import('./src/embed/bundled-model-thread-client.ts');
      const model = await BundledModelThread.start({ bulkThreads: 2 });
      const passages = Array.from({ length: 400 }, (_, index) => 'Passage ' + index + ': ' + 'the robot shifts its weight. '.repeat(20));
      const ingest = model.bulk.embed(passages).then(() => 'finished', (error) => error.message);
      while (model.threads < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await model.close();
      console.log('ingest: ' + (await ingest) + '; threads: ' + model.threads);
      process.exit(0);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { cwd: SERVER_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    expect({ code, output: output.trim() }).toEqual({ code: 0, output: 'ingest: the embedding model was shut down; threads: 0' });
  }, 60_000);
});
