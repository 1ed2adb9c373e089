/**
 * `npm run bench:retrieval`: course-search latency and ingest throughput, on the embedded
 * database (PGlite) and on PostgreSQL + pgvector, at the bundled course's size (1×) and at
 * BENCH_SCALE_FACTOR times it (10× by default; synthetic chunks with random vectors), to show how
 * the cost grows with the corpus. Raw pgvector SQL is timed in the same run, as the reference for
 * the store's own overhead. Writes `bench/results/retrieval.json`.
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
import { EVAL_QUESTIONS, percentile } from './bench-support.js';
import { createScratchPostgres } from './scratch-database.js';

const SCALE_FACTOR = Number(process.env.BENCH_SCALE_FACTOR ?? 10);
const QUESTIONS = EVAL_QUESTIONS.map((entry) => entry.question);
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

/** Per question: query embedding alone, the full hybrid search (embedding included), raw pgvector SQL. */
async function measureSearch(target: Target, queryVectors: Float32Array[]) {
  const embedMs: number[] = [];
  const searchMs: number[] = [];
  const rawMs: number[] = [];
  const storeDenseMs: number[] = [];
  const table = `"vectors_${target.knowledge.store.collection}"`;
  for (const [index, question] of QUESTIONS.entries()) {
    embedMs.push(await time(() => target.knowledge.embedder.embed([question])));
    // The full path, with the query embedding computed (the query cache is bypassed on purpose).
    searchMs.push(await time(() => retrieveRelevantChunks({ ...target.knowledge, queryEmbedder: target.knowledge.embedder }, question, 5)));
    const literal = `[${Array.from(queryVectors[index] ?? []).join(',')}]`;
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
    queries: QUESTIONS.length,
    query_embedding_ms: { p50: embedP50, p95: percentile(embedMs, 0.95) },
    search_with_embedding_ms: { p50: searchP50, p95: percentile(searchMs, 0.95) },
    search_without_embedding_ms_p50: Math.round((searchP50 - embedP50) * 100) / 100,
    raw_pgvector_sql_ms: { p50: percentile(rawMs, 0.5), p95: percentile(rawMs, 0.95) },
    store_dense_search_ms: { p50: percentile(storeDenseMs, 0.5), p95: percentile(storeDenseMs, 0.95) },
  };
}

/** Synthetic chunks: course-like words and random unit vectors, inserted without embedding. */
async function growTo(target: Target, totalChunks: number, vocabulary: string[]): Promise<void> {
  const current = await target.knowledge.catalog.count();
  const dimensions = target.knowledge.embedder.dimensions;
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

const results: Record<string, unknown> = {};
const rows: Record<string, string | number>[] = [];
const queryEmbedder = await BundledEmbedder.load();
const queryVectors = await queryEmbedder.embed(QUESTIONS);
for (const name of ['pglite', 'pgvector'] as const) {
  const target = await openTarget(name);
  try {
    const ingestStarted = performance.now();
    const report = await ingestCourse({ docsDir: BUNDLED_COURSE_DIR, ...BUNDLED_COURSE_ROUTES, reset: true, dryRun: false }, target.knowledge);
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;
    const vocabulary = (await target.knowledge.catalog.get([...(await target.knowledge.catalog.hashes()).keys()])).flatMap((chunk) => chunk.text.split(/\W+/).filter((word) => word.length > 3));
    const atCourseSize = await measureSearch(target, queryVectors);
    const scaledChunks = report.chunks * SCALE_FACTOR;
    await growTo(target, scaledChunks, vocabulary);
    const atScale = await measureSearch(target, queryVectors);
    results[name] = {
      ingest: { chunks: report.chunks, seconds: Math.round(ingestSeconds * 10) / 10, chunks_per_second: Math.round((report.chunks / ingestSeconds) * 10) / 10 },
      corpus: [
        { scale: 1, chunks: report.chunks, ...atCourseSize },
        { scale: SCALE_FACTOR, chunks: scaledChunks, ...atScale },
      ],
    };
    for (const [size, measured] of [[`${report.chunks} (1×)`, atCourseSize], [`${scaledChunks} (${SCALE_FACTOR}×)`, atScale]] as const) {
      rows.push({
        store: name,
        chunks: size,
        'embed p50 ms': measured.query_embedding_ms.p50,
        'search+embed p50': measured.search_with_embedding_ms.p50,
        'search+embed p95': measured.search_with_embedding_ms.p95,
        'search alone p50': measured.search_without_embedding_ms_p50,
        'store dense p50': measured.store_dense_search_ms.p50,
        'raw pgvector p50': measured.raw_pgvector_sql_ms.p50,
        'store/raw': Math.round((measured.store_dense_search_ms.p50 / Math.max(measured.raw_pgvector_sql_ms.p50, 0.01)) * 10) / 10,
        'hybrid/raw': Math.round((measured.search_without_embedding_ms_p50 / Math.max(measured.raw_pgvector_sql_ms.p50, 0.01)) * 10) / 10,
      });
    }
    console.log(`${name}: ingested ${report.chunks} chunks in ${ingestSeconds.toFixed(1)} s (${(report.chunks / ingestSeconds).toFixed(1)} chunks/s, embedding included)`);
  } finally {
    await target.cleanup();
  }
}
console.table(rows);
writeFileSync(RESULTS_FILE, `${JSON.stringify({ bench: 'retrieval', measured_at: new Date().toISOString(), results }, null, 2)}\n`);
console.log(`Wrote ${RESULTS_FILE}`);
