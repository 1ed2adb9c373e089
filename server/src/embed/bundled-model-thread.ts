/**
 * Worker-thread entry point for the bundled model (started by `BundledModelThread`). The model
 * computes synchronously, milliseconds per text (tens on WebAssembly); here that blocks only this
 * thread, never the server's request handling.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { BundledEmbedder } from './bundled-embedder.js';
import type { ThreadReply, ThreadRequest } from './bundled-model-messages.js';

const port = parentPort;
if (!port) throw new Error('bundled-model-thread.ts runs only as a worker thread');

try {
  const embedder = await BundledEmbedder.load();
  collectGarbageNow();
  let inHand: Promise<unknown> = Promise.resolve();
  port.on('message', (request: ThreadRequest) => {
    if (request.type === 'close') {
      // With the port closed and the model released, nothing keeps the thread alive: it exits.
      void inHand
        .then(() => embedder.close())
        .catch(() => undefined) // the thread is going away either way
        .finally(() => port.close());
      return;
    }
    inHand = embedder.embed(request.texts).then(
      (vectors) => port.postMessage({ type: 'vectors', job: request.job, vectors } satisfies ThreadReply, vectors.map((vector) => vector.buffer as ArrayBuffer)),
      (error: unknown) => port.postMessage({ type: 'failed', job: request.job, message: error instanceof Error ? error.message : String(error) } satisfies ThreadReply),
    );
  });
  port.postMessage({ type: 'ready', id: embedder.id, dimensions: embedder.dimensions, runtime: embedder.runtime, fallbackReason: embedder.fallbackReason } satisfies ThreadReply);
} catch (error) {
  port.postMessage({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) } satisfies ThreadReply);
}

/**
 * Loading leaves ~55 MiB of buffers behind (the weights as read, the serialized graph handed to
 * the native runtime). V8 frees them only at a full collection, which a worker that mostly waits
 * may not run for a long time, so the server's idle memory would carry them. One collection, once:
 * `gc` is reachable only with --expose-gc, which a worker cannot be started with, hence the flag
 * set here and a fresh context that sees it.
 */
function collectGarbageNow(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
