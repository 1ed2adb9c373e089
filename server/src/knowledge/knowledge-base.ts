import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { BundledModelThread } from '../embed/bundled-model-thread-client.js';
import { CachedEmbedder } from '../embed/cached-embedder.js';
import type { Embedder } from '../embed/embedder.js';
import { OpenAiCompatibleEmbedder } from '../embed/openai-compatible-embedder.js';
import { ChunkCatalog } from '../stores/chunk-catalog.js';
import { IndexingProgress } from './indexing-progress.js';
import { PgvectorStore } from '../stores/pgvector-store.js';
import { QdrantStore } from '../stores/qdrant-store.js';
import type { VectorStore, VectorStoreName } from '../stores/vector-store.js';

/** Everything course search needs: the chunk catalog, the vector store and the embedder. */
export interface KnowledgeBase {
  catalog: ChunkCatalog;
  store: VectorStore;
  /** For ingestion: every text goes to the model. */
  embedder: Embedder;
  /** For questions: recent questions are answered from a cache. */
  queryEmbedder: Embedder;
  /**
   * For answers: the sentences of the retrieved passages, scored against the question. Served
   * after questions and before ingestion; cached apart from questions, since popular sections come
   * back answer after answer.
   */
  sentenceEmbedder: Embedder;
  /** The bundled model's engine, and why not the native one when not (unset with an embeddings server). */
  bundledRuntime?: BundledModelThread['runtime'];
  /** Set while the course is being indexed from scratch (answers are then partial). */
  indexing: IndexingProgress;
  /** Stops the embedding model's worker thread, if any. */
  close(): Promise<void>;
}

export class StoreUnavailableError extends Error {}

/** Sentence vectors kept for answers: ~4,000 × 512 floats is about 8 MiB, the sentences of a few hundred sections. */
const SENTENCES_CACHED = 4_000;

/**
 * `bulkThreads`: threads the bundled model may use for ingestion (see BundledModelOptions); the
 * server keeps 1 for its memory budget, `npm run ingest` asks for more.
 */
export async function openKnowledgeBase(
  config: Config,
  database: Database,
  storeOverride?: VectorStoreName,
  options: { bulkThreads?: number } = {},
): Promise<KnowledgeBase> {
  const catalog = new ChunkCatalog(database.db);
  const store = createVectorStore(config, database, storeOverride);
  if (config.embedding) {
    const embedder = await OpenAiCompatibleEmbedder.connect(config.embedding);
    return { catalog, store, embedder, queryEmbedder: new CachedEmbedder(embedder), sentenceEmbedder: new CachedEmbedder(embedder, SENTENCES_CACHED), indexing: new IndexingProgress(), close: async () => {} };
  }
  const model = await BundledModelThread.start({ bulkThreads: options.bulkThreads });
  return {
    catalog,
    store,
    embedder: model.bulk,
    queryEmbedder: new CachedEmbedder(model.query),
    sentenceEmbedder: new CachedEmbedder(model.sentences, SENTENCES_CACHED),
    bundledRuntime: model.runtime,
    indexing: new IndexingProgress(),
    close: () => model.close(),
  };
}

/** Qdrant when `QDRANT_URL` is set, else pgvector inside the database Docent already uses. */
export function createVectorStore(config: Config, database: Database, storeOverride: VectorStoreName | undefined): VectorStore {
  const wanted: VectorStoreName = storeOverride ?? (config.qdrant.url ? 'qdrant' : database.kind === 'pglite' ? 'pglite' : 'pgvector');
  if (wanted === 'qdrant') {
    if (!config.qdrant.url) throw new StoreUnavailableError('The qdrant store needs QDRANT_URL (and QDRANT_API_KEY for Qdrant Cloud).');
    return new QdrantStore(database.db, { url: config.qdrant.url, apiKey: config.qdrant.apiKey, collection: config.qdrant.collection });
  }
  const inDatabase = database.kind === 'pglite' ? 'pglite' : 'pgvector';
  if (wanted !== inDatabase) {
    throw new StoreUnavailableError(`The ${wanted} store needs ${wanted === 'pglite' ? 'the embedded database (unset DATABASE_URL)' : 'DATABASE_URL pointing at PostgreSQL'}.`);
  }
  return new PgvectorStore(database.db, inDatabase, config.qdrant.collection);
}
