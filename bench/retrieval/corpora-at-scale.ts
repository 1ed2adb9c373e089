/**
 * The 20k-chunk case of `npm run bench:retrieval`, built from real third-party text: every chunk of
 * the corpora in `../shared/corpora` (real text, real vectors from the bundled model), then copies
 * of them as later versions of the same docs, the way a versioned Docusaurus site keeps one copy of
 * its docs per release. Each copy's vector is its source's plus Gaussian noise (cosine ≈ 0.91 to it),
 * as an edited page's would be, so the index holds realistic clusters of close neighbours rather than
 * the uniformly random points of the synthetic sizes. Vectors of the real chunks come from the eval's
 * embedding cache (embedded once, ~2 min on the first run; see bench/eval/embedding-cache.ts).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectChunks, embeddingInput, type IdentifiedChunk } from '@docent/ingest';
import { normalize, type Embedder } from '../../server/src/embed/embedder.js';
import type { KnowledgeBase } from '../../server/src/knowledge/knowledge-base.js';
import type { CatalogChunk } from '../../server/src/stores/chunk-catalog.js';
import { readQuestions } from '../eval/questions.js';

const CORPORA_DIR = fileURLToPath(new URL('../../../shared/corpora/', import.meta.url));
const CORPORA = ['robotics-textbook', 'docusaurus-docs'];
/** Per-dimension noise of a copy: |noise|² ≈ 512 × 0.02² ≈ 0.2, so cosine to the source ≈ 0.91. */
const COPY_NOISE = 0.02;
const WRITE_BATCH = 500;

export interface CorporaAtScale {
  sourceChunks: number;
  questions: string[];
  /** Writes `total` chunks (the real ones first, then versioned copies); returns seconds spent writing. */
  writeTo(knowledge: KnowledgeBase, total: number): Promise<number>;
}

/** Null when the corpora are not beside the repository (the bench then skips this case). */
export async function loadCorporaAtScale(embedder: Embedder): Promise<CorporaAtScale | null> {
  const present = CORPORA.filter((name) => existsSync(join(CORPORA_DIR, name, 'docs')));
  if (present.length === 0) return null;
  const chunks: IdentifiedChunk[] = [];
  const questions: string[] = [];
  for (const name of present) {
    chunks.push(...(await collectChunks({ docsDir: join(CORPORA_DIR, name, 'docs'), routeBase: `/${name}` })).chunks);
    const questionsFile = fileURLToPath(new URL(`../../eval/${name}/questions.jsonl`, import.meta.url));
    if (existsSync(questionsFile)) questions.push(...readQuestions(questionsFile).map((question) => question.question));
  }
  const vectors = await embedder.embed(chunks.map(embeddingInput));
  return {
    sourceChunks: chunks.length,
    questions,
    async writeTo(knowledge, total) {
      const started = performance.now();
      await knowledge.store.prepare({ id: knowledge.embedder.id, dimensions: knowledge.embedder.dimensions });
      await knowledge.store.startBulkLoad(total);
      for (let made = 0; made < total; made += WRITE_BATCH) {
        const batch = Array.from({ length: Math.min(WRITE_BATCH, total - made) }, (_, offset) => {
          const index = made + offset;
          const version = Math.floor(index / chunks.length);
          const source = chunks[index % chunks.length] as IdentifiedChunk;
          const vector = vectors[index % chunks.length] as Float32Array;
          return { chunk: versionOf(source, version, index), vector: version === 0 ? vector : withNoise(vector) };
        });
        await knowledge.catalog.upsert(batch.map(({ chunk }) => chunk));
        await knowledge.store.upsert(batch.map(({ chunk, vector }) => ({ id: chunk.id, vector, payload: chunk })));
      }
      await knowledge.store.finishBulkLoad();
      await knowledge.catalog.refreshTermStatistics();
      return (performance.now() - started) / 1000;
    },
  };
}

/** Version 0 is the chunk itself; version n lives under `/vn/` like a versioned docs copy. */
function versionOf(chunk: IdentifiedChunk, version: number, position: number): CatalogChunk {
  if (version === 0) return { ...chunk, position };
  return {
    ...chunk,
    id: randomUUID(),
    position,
    url: chunk.url.replace(/^\/([^/]+)\//, `/$1/v${version}/`),
    doc_path: `v${version}/${chunk.doc_path}`,
    content_hash: randomUUID(),
  };
}

function withNoise(vector: Float32Array): Float32Array {
  return normalize(Array.from(vector, (value) => value + COPY_NOISE * gaussian()));
}

/** A standard normal sample (Box–Muller). */
function gaussian(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}
