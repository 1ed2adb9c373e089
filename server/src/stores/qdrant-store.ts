import { QdrantClient } from '@qdrant/js-client-rest';
import type { DocentDb } from '../db/database.js';
import { withTimeout } from '../with-timeout.js';
import { claimCollectionForEmbedder, forgetCollection, recordedEmbedder } from './embedder-registry.js';
import { EmbedderMismatchError, type EmbedderIdentity, type ScoredId, type VectorPoint, type VectorStore, type VectorStoreStatus } from './vector-store.js';

const UPSERT_BATCH = 256;
/** Payload fields filtered on: deletes by document, future per-chapter search. */
const INDEXED_PAYLOAD_FIELDS = ['doc_path', 'chapter'] as const;

export interface QdrantStoreOptions {
  url: string;
  apiKey: string | undefined;
  /** What readers search: an alias to the current physical collection (or, for collections made
   * before aliases were used, a collection of that name). */
  collection: string;
  /** For every call (bulk upserts included). */
  timeoutMs?: number;
  /** For a reader's search: past it, answers fall back to keyword search rather than keep the reader waiting. */
  searchTimeoutMs?: number;
}

/** A hung Qdrant (accepting connections, answering nothing) costs a reader at most this much. */
const DEFAULT_SEARCH_TIMEOUT_MS = 3_000;

/**
 * Qdrant over its REST API (official client, Query API). Readers always search the alias
 * `collection`; a full re-ingest (`reset`) builds a fresh physical collection beside it and
 * `finishBulkLoad` switches the alias atomically, so nobody ever searches a half-built index.
 * The embedder that filled the collection is recorded in the relational database, like for
 * every store.
 */
export class QdrantStore implements VectorStore {
  readonly name = 'qdrant' as const;
  readonly collection: string;
  private readonly client: QdrantClient;
  /** Where writes go: the alias normally, the new physical collection during a rebuild. */
  private writeTarget: string;
  private rebuilding = false;
  private readonly searchTimeoutMs: number;

  constructor(
    private readonly db: DocentDb,
    options: QdrantStoreOptions,
  ) {
    this.collection = options.collection;
    this.writeTarget = options.collection;
    this.searchTimeoutMs = options.searchTimeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS;
    this.client = new QdrantClient({ url: options.url, apiKey: options.apiKey, timeout: options.timeoutMs ?? 10_000, checkCompatibility: false });
  }

  async prepare(embedder: EmbedderIdentity): Promise<void> {
    if (this.rebuilding) {
      await claimCollectionForEmbedder(this.db, this.collection, this.name, embedder);
      this.writeTarget = await this.createPhysicalCollection(embedder.dimensions);
      return;
    }
    if ((await this.client.collectionExists(this.collection)).exists) {
      const info = await this.client.getCollection(this.collection);
      const size = vectorSize(info.config.params.vectors);
      if (size !== undefined && size !== embedder.dimensions) {
        throw new EmbedderMismatchError(this.collection, { id: 'the vectors found in Qdrant', dimensions: size }, embedder);
      }
      await claimCollectionForEmbedder(this.db, this.collection, this.name, embedder);
      return;
    }
    await claimCollectionForEmbedder(this.db, this.collection, this.name, embedder);
    const physical = await this.createPhysicalCollection(embedder.dimensions);
    await this.client.updateCollectionAliases({ actions: [{ create_alias: { alias_name: this.collection, collection_name: physical } }] });
  }

  async upsert(points: readonly VectorPoint[]): Promise<void> {
    for (let start = 0; start < points.length; start += UPSERT_BATCH) {
      await this.client.upsert(this.writeTarget, {
        wait: true,
        points: points.slice(start, start + UPSERT_BATCH).map((point) => ({ id: point.id, vector: Array.from(point.vector), payload: { ...point.payload } })),
      });
    }
  }

  async delete(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.client.delete(this.writeTarget, { wait: true, points: [...ids] });
  }

  async deleteByDocument(docPath: string): Promise<void> {
    await this.client.delete(this.writeTarget, { wait: true, filter: { must: [{ key: 'doc_path', match: { value: docPath } }] } });
  }

  async search(vector: Float32Array, limit: number): Promise<ScoredId[]> {
    const response = await withTimeout(
      whenCollectionExists(this.client.query(this.collection, { query: Array.from(vector), limit, with_payload: false })),
      this.searchTimeoutMs,
      `Qdrant did not answer a search within ${this.searchTimeoutMs} ms`,
    );
    return response?.points.map((point) => ({ id: String(point.id), score: point.score })) ?? [];
  }

  async count(): Promise<number> {
    return (await whenCollectionExists(this.client.count(this.collection, { exact: true })))?.count ?? 0;
  }

  /** Qdrant indexes in the background as points arrive (and a rebuild writes beside the alias). */
  async startBulkLoad(): Promise<void> {}

  async finishBulkLoad(): Promise<void> {
    if (!this.rebuilding) return;
    const previous = await this.physicalCollectionBehindAlias();
    // A collection created under the public name itself (before aliases) must make way for the alias.
    if (previous === undefined && (await this.client.collectionExists(this.collection)).exists) await this.client.deleteCollection(this.collection);
    await this.client.updateCollectionAliases({
      actions: [
        ...(previous !== undefined ? [{ delete_alias: { alias_name: this.collection } }] : []),
        { create_alias: { alias_name: this.collection, collection_name: this.writeTarget } },
      ],
    });
    if (previous !== undefined && previous !== this.writeTarget) await this.client.deleteCollection(previous);
    this.rebuilding = false;
    this.writeTarget = this.collection;
  }

  async reset(): Promise<void> {
    await forgetCollection(this.db, this.collection);
    this.rebuilding = true;
  }

  async status(): Promise<VectorStoreStatus> {
    try {
      const stored = await recordedEmbedder(this.db, this.collection);
      if (!(await this.client.collectionExists(this.collection)).exists) {
        return { status: 'connected', store: this.name, collection: this.collection, vectors: 0, dimensions: stored?.dimensions ?? 0 };
      }
      const info = await this.client.getCollection(this.collection);
      return {
        status: 'connected',
        store: this.name,
        collection: this.collection,
        vectors: info.points_count ?? 0,
        dimensions: vectorSize(info.config.params.vectors) ?? 0,
        ...(stored ? { embedder: stored.id } : {}),
      };
    } catch {
      return { status: 'disconnected', store: this.name, collection: this.collection };
    }
  }

  private async createPhysicalCollection(dimensions: number): Promise<string> {
    const name = `${this.collection}_${Date.now().toString(36)}`;
    await this.client.createCollection(name, { vectors: { size: dimensions, distance: 'Cosine' } });
    for (const field of INDEXED_PAYLOAD_FIELDS) {
      await this.client.createPayloadIndex(name, { field_name: field, field_schema: 'keyword', wait: true });
    }
    return name;
  }

  private async physicalCollectionBehindAlias(): Promise<string | undefined> {
    const { aliases } = await this.client.getAliases();
    return aliases.find((alias) => alias.alias_name === this.collection)?.collection_name;
  }
}

/**
 * Nothing ingested yet means no collection: Qdrant answers 404, which reads as "empty". Asking
 * first would cost every search a second round trip.
 */
async function whenCollectionExists<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'status' in error && error.status === 404) return undefined;
    throw error;
  }
}

/** The size of the collection's single unnamed vector, when it has one. */
function vectorSize(vectors: unknown): number | undefined {
  return typeof vectors === 'object' && vectors !== null && 'size' in vectors && typeof vectors.size === 'number' ? vectors.size : undefined;
}
