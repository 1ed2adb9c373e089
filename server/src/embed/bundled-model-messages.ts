import type { BundledRuntime } from './bundled-embedder.js';

/** Messages between the server and the bundled model's worker thread. */
export interface ThreadRequest {
  job: number;
  texts: string[];
}

export type ThreadReply =
  | { type: 'ready'; id: string; dimensions: number; runtime: BundledRuntime; fallbackReason?: string | undefined }
  | { type: 'load-failed'; message: string }
  | { type: 'vectors'; job: number; vectors: Float32Array[] }
  | { type: 'failed'; job: number; message: string };
