/**
 * Turns text into vectors for course search. Every adapter returns unit-length vectors, so cosine
 * similarity is a dot product and stores can use cosine distance uniformly.
 */
export interface Embedder {
  /**
   * Identifies the model and its output: vectors from embedders with different ids must never be
   * mixed in one collection. Stores record it and refuse a mismatch.
   */
  readonly id: string;
  readonly dimensions: number;
  /** One vector per text, in order. `signal` abandons bulk work that has not started (a shutdown). */
  embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]>;
}

export interface EmbedOptions {
  signal?: AbortSignal | undefined;
}

/** The bundled model's vector size (Universal Sentence Encoder lite), known without loading it. */
export const BUNDLED_MODEL_DIMENSIONS = 512;

/** Scales a vector to unit length (a zero vector stays zero). */
export function normalize(values: ArrayLike<number>): Float32Array {
  const vector = Float32Array.from(values);
  let sumOfSquares = 0;
  for (const value of vector) sumOfSquares += value * value;
  const norm = Math.sqrt(sumOfSquares);
  if (norm > 0) for (let index = 0; index < vector.length; index += 1) vector[index] = (vector[index] ?? 0) / norm;
  return vector;
}

/** Cosine similarity of two unit-length vectors. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let index = 0; index < a.length; index += 1) dot += (a[index] ?? 0) * (b[index] ?? 0);
  return dot;
}
