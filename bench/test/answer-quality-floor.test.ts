/**
 * The answer quality `npm test` holds on courses we did not write: `npm run eval`'s own pipeline
 * (bench/eval/run-corpus.ts: ingest, retrieval and the real chat pipeline, bundled model,
 * extractive answers) on the bundled course and the third-party corpora in ../shared/corpora. The
 * floors sit one question under what was measured when they were set (bench/README.md has the
 * figures), so a change that loses answers on any corpus fails here, not only in a bench nobody
 * reran. Deterministic: the same model, passages and questions give the same ranks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.js';
import { BundledModelThread } from '../../server/src/embed/bundled-model-thread-client.js';
import { CachedEmbedder } from '../../server/src/embed/cached-embedder.js';
import { ExtractiveGenerator } from '../../server/src/rag/answering/extractive-generator.js';
import { defaultMinDenseScore } from '../../server/src/rag/retrieval/relevance.js';
import { chooseCorpora } from '../eval/corpora.js';
import { DiskCachedEmbedder } from '../eval/embedding-cache.js';
import { answerFigures, evaluateCorpus, type CorpusEvaluation } from '../eval/run-corpus.js';

interface Floor {
  hybridRecallAt1: number;
  hybridRecallAt5: number;
  /** Share of answerable questions whose answer holds the fact (null: the corpus's questions name none). */
  containsFact: number | null;
  offCourseRefused: number;
  /** At most this share of answerable questions told "not covered". */
  wronglyRefused: number;
}

const FLOORS: Record<string, Floor> = {
  'bundled-course': { hybridRecallAt1: 0.615, hybridRecallAt5: 0.769, containsFact: null, offCourseRefused: 0.5, wronglyRefused: 0.02 },
  'robotics-textbook': { hybridRecallAt1: 0.388, hybridRecallAt5: 0.666, containsFact: 0.462, offCourseRefused: 0.5, wronglyRefused: 0.038 },
  'docusaurus-docs': { hybridRecallAt1: 0.518, hybridRecallAt5: 0.796, containsFact: 0.592, offCourseRefused: 0.5, wronglyRefused: 0.038 },
};

const corpora = chooseCorpora([]);
// The defaults, whatever this shell sets: the floors are the bundled model's and extractive answers'.
const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });

describe('answer quality on the eval corpora (bundled model, extractive answers)', () => {
  let model: BundledModelThread;
  const evaluations = new Map<string, CorpusEvaluation>();
  beforeAll(async () => {
    model = await BundledModelThread.start();
    const bulk = new DiskCachedEmbedder(model.bulk);
    const query = new CachedEmbedder(model.query);
    const generator = new ExtractiveGenerator({ questions: query, sentences: bulk });
    for (const corpus of corpora) evaluations.set(corpus.name, await evaluateCorpus(corpus, config, { bulk, query }, generator, defaultMinDenseScore(bulk.id)));
  }, 600_000);
  afterAll(async () => {
    await model?.close();
  });

  // A clone without ../shared beside it has only the bundled course: the others are skipped, visibly.
  const measuredHere = (name: string) => corpora.some((corpus) => corpus.name === name);
  for (const [name, floor] of Object.entries(FLOORS)) it.skipIf(!measuredHere(name))(`${name} keeps its retrieval and answer floors`, () => {
    const evaluation = evaluations.get(name);
    if (evaluation === undefined) throw new Error(`${name} was not measured`);
    const answers = answerFigures(evaluation.answers);
    const measured = {
      hybridRecallAt1: evaluation.retrieval.hybrid.recall_at_1,
      hybridRecallAt5: evaluation.retrieval.hybrid.recall_at_5,
      containsFact: answers.contains_fact ?? 0,
      offCourseRefused: answers.offcourse_refused ?? 0,
      wronglyRefused: answers.wrongly_refused ?? 0,
    };
    expect(measured.hybridRecallAt1).toBeGreaterThanOrEqual(floor.hybridRecallAt1);
    expect(measured.hybridRecallAt5).toBeGreaterThanOrEqual(floor.hybridRecallAt5);
    if (floor.containsFact !== null) expect(measured.containsFact).toBeGreaterThanOrEqual(floor.containsFact);
    expect(measured.offCourseRefused).toBeGreaterThanOrEqual(floor.offCourseRefused);
    expect(measured.wronglyRefused).toBeLessThanOrEqual(floor.wronglyRefused);
  });
});
