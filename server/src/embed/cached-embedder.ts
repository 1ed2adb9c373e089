import { LRUCache } from 'lru-cache';
import type { Embedder } from './embedder.js';

/**
 * Remembers recent embeddings, for queries: readers ask the same questions again and again, and a
 * cached query skips the model entirely. A text being computed is shared too, so a query embedded
 * ahead of time (while the question is being stored) is not computed twice. Ingestion should use
 * the embedder directly.
 */
export class CachedEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly cache: LRUCache<string, Promise<Float32Array>>;

  constructor(
    private readonly inner: Embedder,
    maxEntries = 1_000,
  ) {
    this.id = inner.id;
    this.dimensions = inner.dimensions;
    this.cache = new LRUCache({ max: maxEntries });
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    // Read entries before adding the missing ones: adding may evict entries we need.
    const known = texts.map((text) => this.cache.get(text));
    const missing = [...new Set(texts.filter((_, index) => known[index] === undefined))];
    const computing = new Map<string, Promise<Float32Array>>();
    if (missing.length > 0) {
      const batch = this.inner.embed(missing);
      missing.forEach((text, index) => {
        const vector = batch.then((vectors) => {
          const found = vectors[index];
          if (!found) throw new Error(`the embedder returned ${vectors.length} vectors for ${missing.length} texts`);
          return found;
        });
        // A failure is not remembered: the next request tries again.
        vector.catch(() => this.cache.delete(text));
        computing.set(text, vector);
        this.cache.set(text, vector);
      });
    }
    return Promise.all(texts.map((text, index) => known[index] ?? (computing.get(text) as Promise<Float32Array>)));
  }
}
