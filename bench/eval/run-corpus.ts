/**
 * Measures one corpus: ingests it into a fresh embedded database, then asks every question twice —
 * through retrieval alone in each mode (recall@1, recall@5, MRR), and through the real chat
 * pipeline (`acceptQuestion` + `answerQuestion`, threads and all) for what a reader would see.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestCourse } from '@docent/ingest';
import type { ChatStreamEvent } from '@docent/protocol';
import pino from 'pino';
import { HistoryStore } from '../../server/src/chat/history-store.js';
import type { Config } from '../../server/src/config.js';
import { openDatabase, queryRows } from '../../server/src/db/database.js';
import { prepareDatabase } from '../../server/src/db/prepare.js';
import type { Embedder } from '../../server/src/embed/embedder.js';
import { IndexingProgress } from '../../server/src/knowledge/indexing-progress.js';
import { createVectorStore, type KnowledgeBase } from '../../server/src/knowledge/knowledge-base.js';
import { acceptQuestion, answerQuestion } from '../../server/src/rag/answer-question.js';
import type { Generator } from '../../server/src/rag/answering/generator.js';
import type { RetrievalMode } from '../../server/src/rag/retrieval/retrieve.js';
import { retrieveForTurn } from '../../server/src/rag/retrieval/retrieve-for-turn.js';
import { courseCovers, type CoverageEvidence } from '../../server/src/rag/retrieval/relevance.js';
import { ChunkCatalog } from '../../server/src/stores/chunk-catalog.js';
import { sql } from 'drizzle-orm';
import { percentile } from '../bench-support.js';
import { containsPhrase, routeOf } from './answer-text.js';
import type { EvalCorpus } from './corpora.js';
import { isGoldSection, readQuestions, type EvalQuestion } from './questions.js';

export const MODES: RetrievalMode[] = ['dense', 'lexical', 'hybrid'];
const RESULTS_PER_QUESTION = 5;

export interface RetrievalFigures {
  questions: number;
  recall_at_1: number;
  recall_at_5: number;
  mrr: number;
}

export interface AnswerRecord {
  id: string;
  kind: string;
  question: string;
  answerable: boolean;
  refused: boolean;
  contains_fact: boolean | null;
  cites_gold_page: boolean | null;
  cites_gold_section: boolean | null;
  latency_ms: number;
  answer: string;
  hybrid_rank: number | null;
  /** What the coverage decision can see, from hybrid retrieval: to calibrate it across corpora. */
  signals: RetrievalSignals | null;
}

export interface RetrievalSignals {
  /** Best cosine similarity among dense candidates. */
  dense_top: number;
  /** Best share of the question's term weight in one passage. */
  coverage_top: number;
  unfamiliar_words: readonly string[];
  unknown_names: readonly string[];
}

export interface CorpusEvaluation {
  corpus: string;
  files: number;
  chunks: number;
  ingest_seconds: number;
  retrieval: Record<RetrievalMode, RetrievalFigures>;
  hybrid_recall_at_5_by_kind: Record<string, number>;
  answers: AnswerRecord[];
}

export interface EvalEmbedders {
  bulk: Embedder;
  query: Embedder;
}

export async function evaluateCorpus(corpus: EvalCorpus, config: Config, embedders: EvalEmbedders, generator: Generator, minDenseScore: number): Promise<CorpusEvaluation> {
  const questions = readQuestions(corpus.questionsFile);
  const dataDir = mkdtempSync(join(tmpdir(), 'docent-eval-'));
  const log = pino({ level: 'silent' });
  const database = await openDatabase({ databaseUrl: undefined, dataDir, log });
  try {
    await prepareDatabase(database, log);
    const knowledge: KnowledgeBase = {
      catalog: new ChunkCatalog(database.db),
      store: createVectorStore({ ...config, databaseUrl: undefined, qdrant: { ...config.qdrant, url: undefined } }, database, 'pglite'),
      embedder: embedders.bulk,
      queryEmbedder: embedders.query,
      sentenceEmbedder: embedders.bulk,
      indexing: new IndexingProgress(),
      close: async () => {},
    };
    const ingest = await ingestCourse({ docsDir: corpus.docsDir, ...corpus.routes, reset: true, dryRun: false }, knowledge);
    // Every question ranked by the in-memory full-text index, as a running server's are.
    await knowledge.catalog.prepareSearchIndex();
    const byId = new Map(questions.map((question) => [question.id, question]));
    const previousOf = (question: EvalQuestion) => (question.follows === null ? undefined : byId.get(question.follows)?.question);

    const retrieval = {} as Record<RetrievalMode, RetrievalFigures>;
    const hybridRanks = new Map<string, number | null>();
    const signals = new Map<string, RetrievalSignals>();
    for (const mode of MODES) {
      const ranks: (number | null)[] = [];
      for (const question of questions) {
        const gold = question.gold;
        const turn = { request: { message: question.question }, previousQuestion: previousOf(question) };
        const covers = (evidence: CoverageEvidence) => courseCovers(evidence, minDenseScore);
        const { chunks: results, closeness, unfamiliarWords, unknownNames } = await retrieveForTurn(knowledge, turn, RESULTS_PER_QUESTION, { covers, log, mode });
        if (mode === 'hybrid') signals.set(question.id, { dense_top: round(closeness.dense), coverage_top: round(closeness.coverage), unfamiliar_words: unfamiliarWords, unknown_names: unknownNames });
        if (gold === null) continue;
        const index = results.findIndex((result) => isGoldSection(gold, result));
        ranks.push(index === -1 ? null : index + 1);
        if (mode === 'hybrid') hybridRanks.set(question.id, index === -1 ? null : index + 1);
      }
      retrieval[mode] = figuresOf(ranks);
    }

    const goldUrls = async (question: EvalQuestion) => {
      const gold = question.gold;
      if (gold === null) return { page: undefined, sections: new Set<string>() };
      const rows = await queryRows<{ url: string; heading: string; chapter: string; doc_path: string }>(database.db, sql`select url, heading, chapter, doc_path from course_chunks where doc_path = ${gold.file}`);
      return { page: rows[0] ? routeOf(rows[0].url) : undefined, sections: new Set(rows.filter((row) => isGoldSection(gold, row)).map((row) => row.url)) };
    };

    const history = new HistoryStore(database.db);
    const owner = { kind: 'visitor' as const, id: randomUUID() };
    const threadOf = new Map<string, string>();
    const answers: AnswerRecord[] = [];
    for (const question of questions) {
      const threadId = question.follows === null ? undefined : threadOf.get(question.follows);
      const started = performance.now();
      const exchange = await acceptQuestion(history, owner, { message: question.question, ...(threadId ? { thread_id: threadId } : {}) });
      threadOf.set(question.id, exchange.threadId);
      const events: ChatStreamEvent[] = [];
      for await (const event of answerQuestion({ knowledge, history, generator, minDenseScore, log }, exchange, new AbortController().signal, 'eval')) events.push(event);
      const latency = performance.now() - started;
      const answer = events.flatMap((event) => (event.event === 'delta' ? [event.data.text] : [])).join('');
      const failure = events.find((event) => event.event === 'error');
      if (failure) throw new Error(`${question.id}: the pipeline failed: ${JSON.stringify(failure.data)}`);
      const refused = events.some((event) => event.event === 'notice' && event.data.code === 'not_covered');
      const sources = events.flatMap((event) => (event.event === 'sources' ? event.data.sources : []));
      const cited = new Set(events.flatMap((event) => (event.event === 'done' ? event.data.cited : [])));
      const citedUrls = sources.filter((source) => cited.has(source.id)).map((source) => source.url);
      const gold = await goldUrls(question);
      const answerable = question.gold !== null;
      answers.push({
        id: question.id,
        kind: question.kind,
        question: question.question,
        answerable,
        refused,
        contains_fact: question.gold?.answerContains ? !refused && containsPhrase(answer, question.gold.answerContains) : null,
        cites_gold_page: answerable ? !refused && citedUrls.some((url) => routeOf(url) === gold.page) : null,
        cites_gold_section: answerable ? !refused && citedUrls.some((url) => gold.sections.has(url)) : null,
        latency_ms: Math.round(latency * 10) / 10,
        answer,
        hybrid_rank: hybridRanks.get(question.id) ?? null,
        signals: signals.get(question.id) ?? null,
      });
    }

    const byKind: Record<string, number[]> = {};
    for (const question of questions) {
      if (question.gold === null) continue;
      (byKind[question.kind] ??= []).push(hybridRanks.get(question.id) ? 1 : 0);
    }
    return {
      corpus: corpus.name,
      files: ingest.files,
      chunks: ingest.chunks,
      ingest_seconds: ingest.seconds,
      retrieval,
      hybrid_recall_at_5_by_kind: Object.fromEntries(Object.entries(byKind).map(([kind, hits]) => [kind, round(hits.reduce((a, b) => a + b, 0) / hits.length)])),
      answers,
    };
  } finally {
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Per-corpus (or overall) answer figures, as `npm run eval` reports them and `npm test` holds them. */
export function answerFigures(answers: readonly AnswerRecord[]) {
  const share = (values: readonly boolean[]) => (values.length === 0 ? null : round(values.filter(Boolean).length / values.length));
  const answerable = answers.filter((answer) => answer.answerable);
  const offCourse = answers.filter((answer) => !answer.answerable);
  const latencies = answers.map((answer) => answer.latency_ms);
  return {
    questions: answers.length,
    answerable: answerable.length,
    contains_fact: share(answerable.flatMap((answer) => (answer.contains_fact === null ? [] : [answer.contains_fact]))),
    cites_gold_page: share(answerable.map((answer) => answer.cites_gold_page === true)),
    cites_gold_section: share(answerable.map((answer) => answer.cites_gold_section === true)),
    wrongly_refused: share(answerable.map((answer) => answer.refused)),
    offcourse: offCourse.length,
    offcourse_refused: share(offCourse.map((answer) => answer.refused)),
    latency_ms: { p50: percentile(latencies, 0.5, 1), p95: percentile(latencies, 0.95, 1) },
  };
}

function figuresOf(ranks: readonly (number | null)[]): RetrievalFigures {
  const n = ranks.length || 1;
  return {
    questions: ranks.length,
    recall_at_1: round(ranks.filter((rank) => rank === 1).length / n),
    recall_at_5: round(ranks.filter((rank) => rank !== null).length / n),
    mrr: round(ranks.reduce<number>((sum, rank) => sum + (rank === null ? 0 : 1 / rank), 0) / n),
  };
}

export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
