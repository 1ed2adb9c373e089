import { LRUCache } from 'lru-cache';
import type { Embedder } from './embedder.js';

/**
 * Remembers recent embeddings, for queries: readers ask the same questions again and again, and a
 * cached query skips the model entirely. Ingestion should use the embedder directly.
 */
export class CachedEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly cache: LRUCache<string, Float32Array>;

  constructor(
    private readonly inner: Embedder,
    maxEntries = 1_000,
  ) {
    this.id = inner.id;
    this.dimensions = inner.dimensions;
    this.cache = new LRUCache({ max: maxEntries });
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    // Read hits before computing misses: inserting the misses may evict entries we need.
    const cached = texts.map((text) => this.cache.get(text));
    const missing = [...new Set(texts.filter((_, index) => cached[index] === undefined))];
    const computed = new Map<string, Float32Array>();
    if (missing.length > 0) {
      const vectors = await this.inner.embed(missing);
      missing.forEach((text, index) => {
        const vector = vectors[index];
        if (!vector) throw new Error(`the embedder returned ${vectors.length} vectors for ${missing.length} texts`);
        computed.set(text, vector);
        this.cache.set(text, vector);
      });
    }
    return texts.map((text, index) => cached[index] ?? (computed.get(text) as Float32Array));
  }
}
