/**
 * `npm run eval`: retrieval quality on the bundled course. Ingests it into a fresh embedded
 * database, asks every question of `course/eval/questions.jsonl` in three modes (dense, lexical,
 * hybrid) and prints recall@1, recall@5 and MRR; writes `bench/results/retrieval-quality.json`.
 * A result is a hit when it comes from the expected document and its heading path contains the
 * expected heading. Unanswerable questions are left out of recall and reported by top score.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestCourse } from '@docent/ingest';
import pino from 'pino';
import { loadConfig } from '../server/src/config.js';
import { openDatabase } from '../server/src/db/database.js';
import { prepareDatabase } from '../server/src/db/prepare.js';
import { BUNDLED_COURSE_DIR, DOCS_ROUTE_BASE } from '../server/src/knowledge/bundled-course.js';
import { openKnowledgeBase, type KnowledgeBase } from '../server/src/knowledge/knowledge-base.js';
import { retrieveRelevantChunks, type RetrievalMode } from '../server/src/rag/retrieve.js';
import { EVAL_QUESTIONS } from './bench-support.js';

const RESULTS_FILE = fileURLToPath(new URL('./results/retrieval-quality.json', import.meta.url));
const MODES: RetrievalMode[] = ['dense', 'lexical', 'hybrid'];

const questions = EVAL_QUESTIONS;

const dataDir = mkdtempSync(join(tmpdir(), 'docent-eval-'));
const log = pino({ level: 'silent' });
const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
const database = await openDatabase({ databaseUrl: undefined, dataDir, log });
let knowledge: KnowledgeBase | undefined;
try {
  await prepareDatabase(database, log);
  knowledge = await openKnowledgeBase(config, database);
  const ingest = await ingestCourse({ docsDir: BUNDLED_COURSE_DIR, routeBase: DOCS_ROUTE_BASE, reset: true, dryRun: false }, knowledge);

  const summary: Record<string, unknown> = {};
  const misses: Record<string, string[]> = {};
  for (const mode of MODES) {
    const byKind: Record<string, { n: number; hit1: number; hit5: number; reciprocalRanks: number }> = {};
    const unanswerableTopScores: number[] = [];
    misses[mode] = [];
    for (const question of questions) {
      const results = await retrieveRelevantChunks(knowledge, question.question, 5, mode);
      if (question.expected === null) {
        unanswerableTopScores.push(results[0]?.dense_score ?? 0);
        continue;
      }
      const expected = question.expected;
      const rank = results.findIndex((result) => result.doc_path === expected.doc_path && result.heading.split(' › ').includes(expected.heading)) + 1;
      for (const kind of [question.kind, 'all']) {
        const entry = (byKind[kind] ??= { n: 0, hit1: 0, hit5: 0, reciprocalRanks: 0 });
        entry.n += 1;
        if (rank === 1) entry.hit1 += 1;
        if (rank >= 1) entry.hit5 += 1;
        if (rank >= 1) entry.reciprocalRanks += 1 / rank;
      }
      if (rank !== 1) misses[mode]?.push(`${question.id} (rank ${rank || '>5'}): ${question.question} → got ${results[0]?.doc_path}#${results[0]?.anchor}`);
    }
    summary[mode] = Object.fromEntries(
      Object.entries(byKind).map(([kind, entry]) => [
        kind,
        { questions: entry.n, recall_at_1: round(entry.hit1 / entry.n), recall_at_5: round(entry.hit5 / entry.n), mrr: round(entry.reciprocalRanks / entry.n) },
      ]),
    );
  }

  console.table(
    MODES.flatMap((mode) =>
      Object.entries(summary[mode] as Record<string, { questions: number; recall_at_1: number; recall_at_5: number; mrr: number }>).map(([kind, m]) => ({
        mode,
        questions: `${kind} (${m.questions})`,
        'recall@1': m.recall_at_1,
        'recall@5': m.recall_at_5,
        MRR: m.mrr,
      })),
    ),
  );
  if (process.argv.includes('--misses')) for (const [mode, list] of Object.entries(misses)) console.log(`\n${mode} misses at rank 1:\n  ${list.join('\n  ')}`);
  const hybridAll = (summary.hybrid as Record<string, { recall_at_5: number }>).all;
  console.log(`Hybrid recall@5 = ${hybridAll?.recall_at_5} (goal ≥ 0.9). Course: ${ingest.files} files, ${ingest.chunks} chunks.`);
  writeFileSync(
    RESULTS_FILE,
    `${JSON.stringify({ bench: 'retrieval-quality', measured_at: new Date().toISOString(), questions: questions.length, corpus: { files: ingest.files, chunks: ingest.chunks }, embedder: knowledge.embedder.id, results: summary }, null, 2)}\n`,
  );
  console.log(`Wrote ${RESULTS_FILE}`);
} finally {
  await knowledge?.close();
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
