import type { BundledRuntime } from './bundled-embedder.js';

/** Messages between the server and the bundled model's worker thread. */
export type ThreadRequest =
  | { type: 'embed'; job: number; texts: string[] }
  /** Finish the job in hand, release the model, exit. (Terminating a thread inside a native call aborts the process.) */
  | { type: 'close' };

export type ThreadReply =
  | { type: 'ready'; id: string; dimensions: number; runtime: BundledRuntime; fallbackReason?: string | undefined }
  | { type: 'load-failed'; message: string }
  | { type: 'vectors'; job: number; vectors: Float32Array[] }
  | { type: 'failed'; job: number; message: string };
