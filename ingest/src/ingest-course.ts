/**
 * Brings a store up to date with a Docusaurus docs folder: parses every document, embeds only
 * chunks that are new or changed (by content hash), removes chunks of deleted sections and files,
 * and leaves the previous content of a file that fails to parse untouched.
 */
import { setImmediate } from 'node:timers/promises';
import { embeddingInput } from './chunk-document.js';
import { collectChunks, type FileFailure, type IdentifiedChunk, type IngestSource, type SkippedFile } from './collect-chunks.js';

/** What ingestion needs from the relational catalog. */
export interface CatalogPort {
  hashes(): Promise<Map<string, { docPath: string; contentHash: string }>>;
  upsert(chunks: readonly IdentifiedChunk[]): Promise<void>;
  delete(ids: readonly string[]): Promise<void>;
  /** Recomputes statistics that depend on all chunks (term frequencies for lexical search). */
  refreshTermStatistics(): Promise<void>;
}

/** What ingestion needs from the vector store. */
export interface VectorStorePort {
  prepare(embedder: { id: string; dimensions: number }): Promise<void>;
  upsert(points: readonly { id: string; vector: Float32Array; payload: Omit<IdentifiedChunk, 'id' | 'position'> }[]): Promise<void>;
  delete(ids: readonly string[]): Promise<void>;
  startBulkLoad(incoming: number): Promise<void>;
  finishBulkLoad(): Promise<void>;
  reset(): Promise<void>;
  count(): Promise<number>;
}

export interface EmbedderPort {
  id: string;
  dimensions: number;
  /** On abort, work not yet started is dropped and the call rejects: a shutdown need not wait for it. */
  embed(texts: readonly string[], options?: { signal?: AbortSignal | undefined }): Promise<Float32Array[]>;
}

export type IngestOptions = IngestSource & {
  reset: boolean;
  dryRun: boolean;
  /** Called as chunks are embedded: done of total. */
  onProgress?: (done: number, total: number) => void;
  /** Stops between batches (on shutdown); what was written stays consistent and a rerun resumes. */
  signal?: AbortSignal;
};

export interface IngestReport {
  files: number;
  failed: FileFailure[];
  /** Files not ingested on purpose: drafts, empty pages, `exclude` matches. */
  skipped: SkippedFile[];
  chunks: number;
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  seconds: number;
  dry_run: boolean;
}

/**
 * Chunks per embed-and-write step: one request's worth for a remote embedder, and the granularity
 * at which an abort (shutdown) takes effect. Keeping the event loop free while a local model
 * computes is the embedder's job (see the bundled embedder).
 */
const EMBED_BATCH = 32;

export async function ingestCourse(
  options: IngestOptions,
  ports: { catalog: CatalogPort; store: VectorStorePort; embedder: EmbedderPort },
): Promise<IngestReport> {
  const started = performance.now();
  const { files, chunks, failed, skipped } = await collectChunks(options);

  // A reset rebuilds the vectors but leaves the catalog in place until each row is rewritten: readers
  // keep lexical search and citations meanwhile (and, on Qdrant, the previous vectors too).
  if (options.reset && !options.dryRun) await ports.store.reset();
  if (!options.dryRun) await ports.store.prepare({ id: ports.embedder.id, dimensions: ports.embedder.dimensions });

  const known = await ports.catalog.hashes();
  // The catalog says what is ingested, but the vectors live elsewhere: a new or restored Qdrant
  // cluster, or a renamed collection, is empty while the catalog is full. Then nothing is
  // "unchanged": every chunk is embedded again, or dense search would stay empty for good.
  const vectorsMissing = !options.reset && known.size > 0 && (await ports.store.count().catch(() => known.size)) === 0;
  const existing = options.reset || vectorsMissing ? new Map<string, { docPath: string; contentHash: string }>() : known;
  // On a reset even a failed file's old chunks go: the rebuilt vectors no longer hold them.
  const failedDocs = new Set(options.reset ? [] : failed.map((failure) => failure.file));
  const toEmbed: IdentifiedChunk[] = [];
  let updated = 0;
  for (const chunk of chunks) {
    const previous = existing.get(chunk.id);
    if (previous?.contentHash === chunk.content_hash) continue;
    if (previous) updated += 1;
    toEmbed.push(chunk);
  }
  const current = new Set(chunks.map((chunk) => chunk.id));
  // A file that failed keeps its previous chunks: a typo must not empty a chapter from search.
  const removed = [...known].filter(([id, { docPath }]) => !current.has(id) && !failedDocs.has(docPath)).map(([id]) => id);

  if (!options.dryRun) {
    const embedBatch = (start: number) => {
      const embedding = ports.embedder.embed(toEmbed.slice(start, start + EMBED_BATCH).map(embeddingInput), { signal: options.signal });
      // Awaited on the next turn of the loop; until then a failure must not count as unhandled.
      embedding.catch(() => undefined);
      return embedding;
    };
    // The next batch is embedding while this one is written: the model never waits for the database.
    let nextVectors = toEmbed.length > 0 ? embedBatch(0) : undefined;
    if (toEmbed.length > 0) await ports.store.startBulkLoad(toEmbed.length);
    for (let start = 0; start < toEmbed.length; start += EMBED_BATCH) {
      options.signal?.throwIfAborted();
      const batch = toEmbed.slice(start, start + EMBED_BATCH);
      const vectors = (await nextVectors) ?? [];
      nextVectors = start + EMBED_BATCH < toEmbed.length ? embedBatch(start + EMBED_BATCH) : undefined;
      await ports.store.upsert(batch.map(({ id, position: _position, ...payload }, index) => ({ id, vector: vectors[index] as Float32Array, payload })));
      await ports.catalog.upsert(batch);
      options.onProgress?.(Math.min(start + EMBED_BATCH, toEmbed.length), toEmbed.length);
      // Database calls can resolve as microtasks; only a macrotask lets I/O and signals through.
      await setImmediate();
    }
    await ports.store.delete(removed);
    await ports.catalog.delete(removed);
    if (toEmbed.length > 0) await ports.store.finishBulkLoad();
    if (toEmbed.length > 0 || removed.length > 0) await ports.catalog.refreshTermStatistics();
  }

  return {
    files,
    failed,
    skipped,
    chunks: chunks.length,
    added: toEmbed.length - updated,
    updated,
    removed: removed.length,
    unchanged: chunks.length - toEmbed.length,
    seconds: Math.round((performance.now() - started) / 10) / 100,
    dry_run: options.dryRun,
  };
}
