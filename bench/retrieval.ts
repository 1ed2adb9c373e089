/**
 * `npm run bench:retrieval`: course-search latency, the HNSW index's recall against exact search,
 * and ingest throughput, on the embedded database (PGlite) and on PostgreSQL + pgvector, to show
 * how the cost grows with the corpus:
 * - the bundled course (1×), then 10× and 100× it with synthetic chunks (course words, uniformly
 *   random vectors; BENCH_SCALES="10,100");
 * - 20,000 chunks built from the third-party corpora (real text and vectors, plus versioned copies;
 *   see retrieval/corpora-at-scale.ts; BENCH_CORPORA_CHUNKS), asked the corpora's eval questions.
 * Raw pgvector SQL is timed in the same run, as the reference for the store's own overhead.
 * Writes `bench/results/retrieval.json`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestCourse } from '@docent/ingest';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { loadConfig } from '../server/src/config.js';
import { openDatabase, queryRows, type Database } from '../server/src/db/database.js';
import { prepareDatabase } from '../server/src/db/prepare.js';
import { BundledEmbedder } from '../server/src/embed/bundled-embedder.js';
import { normalize } from '../server/src/embed/embedder.js';
import { BUNDLED_COURSE_DIR, BUNDLED_COURSE_ROUTES } from '../server/src/knowledge/bundled-course.js';
import { openKnowledgeBase, type KnowledgeBase } from '../server/src/knowledge/knowledge-base.js';
import { retrieveRelevantChunks } from '../server/src/rag/retrieval/retrieve.js';
import type { CatalogChunk } from '../server/src/stores/chunk-catalog.js';
import { vectorLiteral, vectorTableOf } from '../server/src/stores/pgvector-store.js';
import { EVAL_QUESTIONS, percentile } from './bench-support.js';
import { DiskCachedEmbedder } from './eval/embedding-cache.js';
import { annRecallAtK } from './retrieval/ann-recall.js';
import { loadCorporaAtScale } from './retrieval/corpora-at-scale.js';
import { createScratchPostgres } from './scratch-database.js';

const SCALES = (process.env.BENCH_SCALES ?? '10,100').split(',').filter((scale) => scale.trim() !== '').map(Number);
const CORPORA_CHUNKS = Number(process.env.BENCH_CORPORA_CHUNKS ?? 20_000);
const COURSE_QUESTIONS = EVAL_QUESTIONS.map((entry) => entry.question);
/** Issue 19's goals for the 20k-chunk case on pgvector. */
const GOALS = { search_with_embedding_p50_ms: 10, ann_recall_at_10: 0.98 };
const RECALL_K = 10;
const RESULTS_FILE = fileURLToPath(new URL('./results/retrieval.json', import.meta.url));
const log = pino({ level: 'silent' });

interface Target {
  name: 'pglite' | 'pgvector';
  database: Database;
  knowledge: KnowledgeBase;
  cleanup(): Promise<void>;
}

async function openTarget(name: Target['name']): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'docent-bench-'));
  let databaseUrl: string | undefined;
  let dropDatabase = async (): Promise<void> => undefined;
  if (name === 'pgvector') {
    const scratch = await createScratchPostgres();
    databaseUrl = scratch.url;
    dropDatabase = () => scratch.drop();
  }
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
  const database = await openDatabase({ databaseUrl, dataDir, log });
  await prepareDatabase(database, log);
  const knowledge = await openKnowledgeBase(config, database);
  return {
    name,
    database,
    knowledge,
    cleanup: async () => {
      await knowledge.close();
      await database.close();
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function time<T>(work: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Per question: query embedding alone, the full hybrid search (embedding included), raw pgvector SQL; then ANN recall. */
async function measureSearch(target: Target, questions: readonly string[], queryVectors: readonly Float32Array[]) {
  const embedMs: number[] = [];
  const searchMs: number[] = [];
  const rawMs: number[] = [];
  const storeDenseMs: number[] = [];
  const table = vectorTableOf(target.knowledge.store.collection);
  // Measured as a running server answers: from its in-memory full-text index, once built.
  await target.knowledge.catalog.prepareSearchIndex();
  for (const [index, question] of questions.entries()) {
    embedMs.push(await time(() => target.knowledge.embedder.embed([question])));
    // The full path, with the query embedding computed (the query cache is bypassed on purpose).
    searchMs.push(await time(() => retrieveRelevantChunks({ ...target.knowledge, queryEmbedder: target.knowledge.embedder }, question, 5)));
    const literal = vectorLiteral(queryVectors[index] ?? new Float32Array());
    // The store's own statement, sent straight to the driver: what remains is the store's overhead.
    const raw = () => queryRows(target.database.db, sql`select chunk_id::text as id, 1 - (embedding <=> ${literal}::vector) as score from ${sql.raw(table)} order by embedding <=> ${literal}::vector limit ${20}`);
    const store = () => target.knowledge.store.search(queryVectors[index] ?? new Float32Array(), 20);
    // Each timed twice, interleaved, keeping the faster: neither gets a warmer cache by going second.
    const [rawFirst, storeFirst, rawSecond, storeSecond] = [await time(raw), await time(store), await time(raw), await time(store)];
    rawMs.push(Math.min(rawFirst, rawSecond));
    storeDenseMs.push(Math.min(storeFirst, storeSecond));
  }
  const embedP50 = percentile(embedMs, 0.5);
  const searchP50 = percentile(searchMs, 0.5);
  return {
    queries: questions.length,
    query_embedding_ms: { p50: embedP50, p95: percentile(embedMs, 0.95) },
    search_with_embedding_ms: { p50: searchP50, p95: percentile(searchMs, 0.95) },
    search_without_embedding_ms_p50: Math.round((searchP50 - embedP50) * 100) / 100,
    raw_pgvector_sql_ms: { p50: percentile(rawMs, 0.5), p95: percentile(rawMs, 0.95) },
    store_dense_search_ms: { p50: percentile(storeDenseMs, 0.5), p95: percentile(storeDenseMs, 0.95) },
    ann_recall_at_10: await annRecallAtK(target.database.db, target.knowledge.store, queryVectors, RECALL_K),
  };
}

/** Synthetic chunks: course-like words and random unit vectors, inserted without embedding. */
async function growTo(target: Target, totalChunks: number, vocabulary: string[]): Promise<void> {
  const current = await target.knowledge.catalog.count();
  const dimensions = target.knowledge.embedder.dimensions;
  // As an ingest of that many chunks would: the index is set aside and rebuilt at the end.
  await target.knowledge.store.startBulkLoad(totalChunks - current);
  for (let made = current; made < totalChunks; made += 500) {
    const batch: CatalogChunk[] = Array.from({ length: Math.min(500, totalChunks - made) }, (_, index) => {
      const words = Array.from({ length: 220 }, () => vocabulary[Math.floor(Math.random() * vocabulary.length)] ?? 'robot');
      return {
        id: randomUUID(),
        position: index,
        text: words.join(' '),
        chapter: `Synthetic chapter ${made + index}`,
        heading: words.slice(0, 4).join(' '),
        anchor: `s${made + index}`,
        url: `/docs/synthetic/${made + index}#s`,
        doc_path: `synthetic/${Math.floor((made + index) / 20)}.md`,
        content_hash: randomUUID(),
      };
    });
    await target.knowledge.catalog.upsert(batch);
    await target.knowledge.store.upsert(
      batch.map((chunk) => ({ id: chunk.id, vector: normalize(Array.from({ length: dimensions }, () => Math.random() - 0.5)), payload: chunk })),
    );
  }
  await target.knowledge.store.finishBulkLoad();
  await target.knowledge.catalog.refreshTermStatistics();
}

type Measured = Awaited<ReturnType<typeof measureSearch>>;
const results: Record<string, unknown> = {};
const rows: Record<string, string | number>[] = [];
const addRow = (store: string, size: string, measured: Measured) =>
  rows.push({
    store,
    chunks: size,
    'embed p50 ms': measured.query_embedding_ms.p50,
    'search+embed p50': measured.search_with_embedding_ms.p50,
    'search+embed p95': measured.search_with_embedding_ms.p95,
    'search alone p50': measured.search_without_embedding_ms_p50,
    'store dense p50': measured.store_dense_search_ms.p50,
    'raw pgvector p50': measured.raw_pgvector_sql_ms.p50,
    'ANN recall@10': measured.ann_recall_at_10,
  });
const queryEmbedder = await BundledEmbedder.load();
const courseVectors = await queryEmbedder.embed(COURSE_QUESTIONS);
const corpora = await loadCorporaAtScale(new DiskCachedEmbedder(queryEmbedder));
if (!corpora) console.warn('Skipping the 20k-chunk case: ../shared/corpora is not beside the repository.');
const corporaVectors = corpora ? await queryEmbedder.embed(corpora.questions) : [];
for (const name of ['pglite', 'pgvector'] as const) {
  const sizes: Array<{ label: string; scale: number; chunks: number } & Measured> = [];
  const target = await openTarget(name);
  let ingest: { chunks: number; seconds: number; chunks_per_second: number };
  try {
    const ingestStarted = performance.now();
    const report = await ingestCourse({ docsDir: BUNDLED_COURSE_DIR, ...BUNDLED_COURSE_ROUTES, reset: true, dryRun: false }, target.knowledge);
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;
    ingest = { chunks: report.chunks, seconds: round(ingestSeconds, 1), chunks_per_second: round(report.chunks / ingestSeconds, 1) };
    console.log(`${name}: ingested ${report.chunks} chunks in ${ingestSeconds.toFixed(1)} s (${ingest.chunks_per_second} chunks/s, embedding included)`);
    const vocabulary = (await target.knowledge.catalog.get([...(await target.knowledge.catalog.hashes()).keys()])).flatMap((chunk) => chunk.text.split(/\W+/).filter((word) => word.length > 3));
    sizes.push({ label: '1×', scale: 1, chunks: report.chunks, ...(await measureSearch(target, COURSE_QUESTIONS, courseVectors)) });
    for (const scale of SCALES) {
      await growTo(target, report.chunks * scale, vocabulary);
      sizes.push({ label: `${scale}×`, scale, chunks: report.chunks * scale, ...(await measureSearch(target, COURSE_QUESTIONS, courseVectors)) });
      console.log(`${name}: measured at ${scale}×`);
    }
  } finally {
    await target.cleanup();
  }
  let atCorpora: Record<string, unknown> | undefined;
  if (corpora) {
    const corporaTarget = await openTarget(name);
    try {
      const writeSeconds = await corpora.writeTo(corporaTarget.knowledge, CORPORA_CHUNKS);
      const measured = await measureSearch(corporaTarget, corpora.questions, corporaVectors);
      sizes.push({ label: 'corpora', scale: round(CORPORA_CHUNKS / ingest.chunks, 1), chunks: CORPORA_CHUNKS, ...measured });
      // Embedding is what an ingest of this size spends most on: projected at the rate measured above.
      atCorpora = {
        chunks: CORPORA_CHUNKS,
        source_chunks: corpora.sourceChunks,
        write_and_index_seconds: round(writeSeconds, 1),
        projected_ingest_seconds_with_bundled_model: round(writeSeconds + CORPORA_CHUNKS / ingest.chunks_per_second, 0),
        goals: GOALS,
      };
      console.log(`${name}: wrote and indexed ${CORPORA_CHUNKS} chunks in ${writeSeconds.toFixed(1)} s (embedding excluded)`);
    } finally {
      await corporaTarget.cleanup();
    }
  }
  for (const size of sizes) addRow(name, `${size.chunks} (${size.label})`, size);
  results[name] = { ingest, corpus: sizes, ...(atCorpora ? { corpora_at_scale: atCorpora } : {}) };
}
console.table(rows);
writeFileSync(RESULTS_FILE, `${JSON.stringify({ bench: 'retrieval', measured_at: new Date().toISOString(), results }, null, 2)}\n`);
console.log(`Wrote ${RESULTS_FILE}`);

function round(value: number, decimals: number): number {
  return Math.round(value * 10 ** decimals) / 10 ** decimals;
}
