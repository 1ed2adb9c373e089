/**
 * A disk cache of embeddings for the eval: a third-party corpus has thousands of passages, and the
 * bundled model embeds ~20 per second on two cores, so without it every eval run would spend
 * minutes re-embedding text that did not change. Keyed by embedder id and the exact text, so a
 * change of chunking or of model simply misses the cache. Never used by the product itself.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Embedder } from '../../server/src/embed/embedder.js';

const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/docent/eval-embeddings/', import.meta.url));
const KEY_BYTES = 32;

export class DiskCachedEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly file: string;
  private readonly vectors = new Map<string, Float32Array>();
  hits = 0;
  misses = 0;

  constructor(private readonly inner: Embedder) {
    this.id = inner.id;
    this.dimensions = inner.dimensions;
    this.file = join(CACHE_DIR, `${inner.id.replace(/[^\w.@-]+/g, '_')}-${inner.dimensions}.bin`);
    this.load();
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const keys = texts.map(keyOf);
    const missing = [...new Set(keys.filter((key) => !this.vectors.has(key)))];
    if (missing.length > 0) {
      const textByKey = new Map(keys.map((key, index) => [key, texts[index] as string]));
      const computed = await this.inner.embed(missing.map((key) => textByKey.get(key) as string));
      missing.forEach((key, index) => this.remember(key, computed[index] as Float32Array));
    }
    this.hits += texts.length - missing.length;
    this.misses += missing.length;
    return keys.map((key) => this.vectors.get(key) as Float32Array);
  }

  private load(): void {
    if (!existsSync(this.file)) return;
    const data = readFileSync(this.file);
    const entryBytes = KEY_BYTES + this.dimensions * 4;
    for (let offset = 0; offset + entryBytes <= data.length; offset += entryBytes) {
      const key = data.subarray(offset, offset + KEY_BYTES).toString('hex');
      const vector = new Float32Array(data.buffer.slice(data.byteOffset + offset + KEY_BYTES, data.byteOffset + offset + entryBytes));
      this.vectors.set(key, vector);
    }
  }

  private remember(key: string, vector: Float32Array): void {
    this.vectors.set(key, vector);
    mkdirSync(dirname(this.file), { recursive: true });
    appendFileSync(this.file, Buffer.concat([Buffer.from(key, 'hex'), Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength)]));
  }
}

function keyOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
