/**
 * `npm run eval`: retrieval and answer quality on the bundled course and on third-party corpora
 * (see bench/eval/corpora.ts for choosing them). Per corpus and overall: recall@1/@5 and MRR for
 * dense, full-text and hybrid retrieval; through the real chat pipeline, answers that contain the
 * fact asked for, cite the right page and section, off-course questions refused, in-course
 * questions wrongly refused, and latency. Writes bench/results/answer-quality.json and the table in
 * bench/README.md. `--misses` lists every question answered wrongly.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../server/src/config.js';
import { BundledModelThread } from '../server/src/embed/bundled-model-thread-client.js';
import { CachedEmbedder } from '../server/src/embed/cached-embedder.js';
import { OpenAiCompatibleEmbedder } from '../server/src/embed/openai-compatible-embedder.js';
import { createGenerator } from '../server/src/rag/answering/create-generator.js';
import { defaultMinDenseScore } from '../server/src/rag/retrieval/relevance.js';
import { BENCH_README, rewriteReadmeSection } from './bench-support.js';
import { chooseCorpora } from './eval/corpora.js';
import { DiskCachedEmbedder } from './eval/embedding-cache.js';
import { answerFigures, evaluateCorpus, MODES, type AnswerRecord, type CorpusEvaluation } from './eval/run-corpus.js';

const RESULTS_FILE = fileURLToPath(new URL('./results/answer-quality.json', import.meta.url));

const argv = process.argv.slice(2);
const corpora = chooseCorpora(argv);
// The product's configuration from the environment: LLM_* and EMBEDDING_* evaluate those paths instead.
const config = loadConfig({ ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' });
const model = config.embedding ? undefined : await BundledModelThread.start();
const remote = config.embedding ? await OpenAiCompatibleEmbedder.connect(config.embedding) : undefined;
const bulk = new DiskCachedEmbedder(remote ?? (model as BundledModelThread).bulk);
const query = new CachedEmbedder(remote ?? (model as BundledModelThread).query);
// The disk cache serves the answer's sentences too: a rerun measures the same answers in seconds.
const generator = createGenerator(config, { queryEmbedder: query, sentenceEmbedder: bulk });
const minDenseScore = config.chat.minDenseScore ?? defaultMinDenseScore(bulk.id);

const evaluations: CorpusEvaluation[] = [];
try {
  for (const corpus of corpora) {
    console.log(`\n== ${corpus.name} (${corpus.docsDir})`);
    const evaluation = await evaluateCorpus(corpus, config, { bulk, query }, generator, minDenseScore);
    evaluations.push(evaluation);
    console.log(`${evaluation.files} files, ${evaluation.chunks} chunks, ingested in ${evaluation.ingest_seconds} s (embedding cache: ${bulk.hits} hits, ${bulk.misses} computed)`);
    if (argv.includes('--misses')) printMisses(evaluation.answers);
  }
} finally {
  await model?.close();
}

const summaries = evaluations.map((evaluation) => ({ corpus: evaluation.corpus, files: evaluation.files, chunks: evaluation.chunks, ingest_seconds: evaluation.ingest_seconds, retrieval: evaluation.retrieval, hybrid_recall_at_5_by_kind: evaluation.hybrid_recall_at_5_by_kind, answers: answerFigures(evaluation.answers) }));
const overall = answerFigures(evaluations.flatMap((evaluation) => evaluation.answers));
const rows = summaries.map((summary) => ({
  corpus: summary.corpus,
  'dense r@5': summary.retrieval.dense.recall_at_5,
  'lexical r@5': summary.retrieval.lexical.recall_at_5,
  'hybrid r@1': summary.retrieval.hybrid.recall_at_1,
  'hybrid r@5': summary.retrieval.hybrid.recall_at_5,
  'hybrid MRR': summary.retrieval.hybrid.mrr,
  'has fact': summary.answers.contains_fact,
  'cites page': summary.answers.cites_gold_page,
  'off-course refused': summary.answers.offcourse_refused,
  'wrongly refused': summary.answers.wrongly_refused,
  'p50 ms': summary.answers.latency_ms.p50,
}));
console.log();
console.table(rows);
console.log(`Overall: fact ${overall.contains_fact}, cites page ${overall.cites_gold_page}, off-course refused ${overall.offcourse_refused}, wrongly refused ${overall.wrongly_refused}, answer p50 ${overall.latency_ms.p50} ms`);

const report = { bench: 'answer-quality', measured_at: new Date().toISOString(), embedder: bulk.id, generator: generator.name, min_dense_score: minDenseScore, corpora: summaries, overall, answers: Object.fromEntries(evaluations.map((evaluation) => [evaluation.corpus, evaluation.answers])) };
writeFileSync(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
writeReadmeTable(rows);
console.log(`Wrote ${RESULTS_FILE} and the table in ${BENCH_README}`);

function printMisses(answers: readonly AnswerRecord[]): void {
  for (const answer of answers) {
    const wrong = answer.answerable ? answer.refused || answer.contains_fact === false || answer.cites_gold_page === false : !answer.refused;
    if (!wrong) continue;
    const why = answer.answerable ? (answer.refused ? 'refused' : `fact ${answer.contains_fact}, page ${answer.cites_gold_page}, rank ${answer.hybrid_rank ?? '>5'}`) : 'off-course, answered';
    console.log(`✗ ${answer.id} [${answer.kind}] ${why}: ${answer.question}\n    ${answer.answer.replace(/\s+/g, ' ').slice(0, 220)}`);
  }
}

function writeReadmeTable(tableRows: readonly Record<string, string | number | null>[]): void {
  const columns = Object.keys(tableRows[0] ?? {});
  const table = [`| ${columns.join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`, ...tableRows.map((row) => `| ${columns.map((column) => String(row[column] ?? '–')).join(' | ')} |`)];
  const heading = `Measured ${new Date().toISOString().slice(0, 10)} with ${bulk.id} and the ${generator.name} generator (modes: ${MODES.join(', ')}; top 5):`;
  rewriteReadmeSection('answer-quality', `${heading}\n\n${table.join('\n')}`);
}
