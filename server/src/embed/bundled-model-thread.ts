/**
 * Worker-thread entry point for the bundled model (started by `BundledModelThread`). The model
 * computes synchronously for tens of milliseconds per text; here that blocks only this thread,
 * never the server's request handling.
 */
import { parentPort } from 'node:worker_threads';
import { BundledEmbedder } from './bundled-embedder.js';
import type { ThreadReply, ThreadRequest } from './bundled-model-messages.js';

const port = parentPort;
if (!port) throw new Error('bundled-model-thread.ts runs only as a worker thread');

try {
  const embedder = await BundledEmbedder.load();
  port.on('message', (request: ThreadRequest) => {
    embedder.embed(request.texts).then(
      (vectors) => port.postMessage({ type: 'vectors', job: request.job, vectors } satisfies ThreadReply, vectors.map((vector) => vector.buffer as ArrayBuffer)),
      (error: unknown) => port.postMessage({ type: 'failed', job: request.job, message: error instanceof Error ? error.message : String(error) } satisfies ThreadReply),
    );
  });
  port.postMessage({ type: 'ready', id: embedder.id, dimensions: embedder.dimensions } satisfies ThreadReply);
} catch (error) {
  port.postMessage({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) } satisfies ThreadReply);
}
