import { eq } from 'drizzle-orm';
import type { DocentDb } from '../db/database.js';
import { vectorCollections } from '../db/schema.js';
import { EmbedderMismatchError, type EmbedderIdentity, type VectorStoreName } from './vector-store.js';

type Executor = Pick<DocentDb, 'select' | 'insert'>;

/**
 * Records which embedder filled a collection, in the relational database, whatever the store:
 * the first `prepare` records it, every later one must match or fails with a re-ingest hint.
 */
export async function claimCollectionForEmbedder(db: Executor, collection: string, store: VectorStoreName, embedder: EmbedderIdentity): Promise<void> {
  const [stored] = await db.select().from(vectorCollections).where(eq(vectorCollections.name, collection));
  if (stored && (stored.embedderId !== embedder.id || stored.dimensions !== embedder.dimensions)) {
    throw new EmbedderMismatchError(collection, { id: stored.embedderId, dimensions: stored.dimensions }, embedder);
  }
  if (!stored) await db.insert(vectorCollections).values({ name: collection, store, embedderId: embedder.id, dimensions: embedder.dimensions });
}

export async function recordedEmbedder(db: DocentDb, collection: string): Promise<EmbedderIdentity | undefined> {
  const [stored] = await db.select().from(vectorCollections).where(eq(vectorCollections.name, collection));
  return stored ? { id: stored.embedderId, dimensions: stored.dimensions } : undefined;
}

export async function forgetCollection(db: DocentDb, collection: string): Promise<void> {
  await db.delete(vectorCollections).where(eq(vectorCollections.name, collection));
}
