/**
 * Where chunk vectors live and are searched: the embedded database (PGlite with pgvector),
 * PostgreSQL with pgvector, or Qdrant. Every adapter passes the same behaviour suite.
 */
import type { CourseChunk } from '@docent/ingest';

/**
 * What a store keeps beside each vector: `{text, chapter, url}` (the original design's contract)
 * plus heading, anchor, document path and content hash, exactly as the ingest produces them.
 */
export type ChunkPayload = Omit<CourseChunk, 'position'>;

export interface VectorPoint {
  /** A UUID, stable for a section of a document (see ingest's chunk identity). */
  id: string;
  vector: Float32Array;
  payload: ChunkPayload;
}

export interface ScoredId {
  id: string;
  /** Cosine similarity, higher is closer. */
  score: number;
}

export interface EmbedderIdentity {
  id: string;
  dimensions: number;
}

export interface VectorStoreStatus {
  status: 'connected' | 'disconnected';
  store: VectorStoreName;
  collection: string;
  vectors?: number;
  dimensions?: number;
  embedder?: string;
}

export type VectorStoreName = 'pglite' | 'pgvector' | 'qdrant';

export interface VectorStore {
  readonly name: VectorStoreName;
  readonly collection: string;
  /**
   * Creates the collection for this embedder when missing. Throws `EmbedderMismatchError` when the
   * collection holds vectors of another embedder: vectors of two models are never mixed.
   */
  prepare(embedder: EmbedderIdentity): Promise<void>;
  upsert(points: readonly VectorPoint[]): Promise<void>;
  delete(ids: readonly string[]): Promise<void>;
  deleteByDocument(docPath: string): Promise<void>;
  search(vector: Float32Array, limit: number): Promise<ScoredId[]>;
  count(): Promise<number>;
  /** Called before writing `incoming` vectors: a store may set its index aside for a large load. */
  startBulkLoad(incoming: number): Promise<void>;
  /** Called after a bulk load: builds the search index (HNSW builds best over loaded data). */
  finishBulkLoad(): Promise<void>;
  /**
   * Starts a rebuild: forgets the embedder record, and the next `prepare` makes a fresh, empty
   * collection. Stores that can keep serving the old vectors until `finishBulkLoad` do (Qdrant,
   * through an alias switch); the others drop them at once.
   */
  reset(): Promise<void>;
  status(): Promise<VectorStoreStatus>;
}

export class EmbedderMismatchError extends Error {
  constructor(collection: string, stored: EmbedderIdentity, configured: EmbedderIdentity) {
    super(
      `The vector collection "${collection}" holds vectors from ${stored.id} (${stored.dimensions} dimensions), ` +
        `but the configured embedder is ${configured.id} (${configured.dimensions} dimensions). ` +
        'Re-ingest the course with: npm run ingest -- --reset',
    );
    this.name = 'EmbedderMismatchError';
  }
}
