/**
 * Turns the benches' result files (bench/results/*.json) into one table: each figure beside its
 * reference measured in the same run (bare Fastify, raw pgvector SQL, Lit alone) or its budget.
 * Only the fields read here are validated, so a bench can record more than the table shows.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const latency = z.object({ p50: z.number(), p95: z.number() });
const httpSchema = z.object({
  bare_fastify: z.object({ requests_per_second: z.number(), latency_p99_ms: z.number() }),
  docent_health: z.object({ requests_per_second: z.number(), latency_p99_ms: z.number() }),
  ratio_docent_to_bare: z.number(),
});
const corpusSchema = z.object({
  label: z.string(),
  chunks: z.number(),
  query_embedding_ms: latency,
  search_with_embedding_ms: latency,
  search_without_embedding_ms_p50: z.number(),
  raw_pgvector_sql_ms: latency,
  store_dense_search_ms: latency,
  ann_recall_at_10: z.number(),
});
/** Issue 19's embedding goals (its search and recall goals travel in retrieval.json). */
const INGEST_GOAL_CHUNKS_PER_SECOND = 60;
const QUERY_EMBEDDING_GOAL_MS = 5;

const atScaleSchema = z.object({
  chunks: z.number(),
  write_and_index_seconds: z.number(),
  projected_ingest_seconds_with_bundled_model: z.number(),
  goals: z.object({ search_with_embedding_p50_ms: z.number(), ann_recall_at_10: z.number() }),
});
const retrievalSchema = z.object({
  results: z.record(
    z.string(),
    z.object({ ingest: z.object({ chunks: z.number(), seconds: z.number(), chunks_per_second: z.number() }), corpus: z.array(corpusSchema), corpora_at_scale: atScaleSchema.optional() }),
  ),
});
const chatSchema = z.object({
  results: z.record(z.string(), z.array(z.object({ concurrency: z.number(), failed: z.number(), first_delta_ms: latency, chats_per_second: z.number() }))),
});
const widgetSchema = z.object({ docent_js_gzip_bytes: z.number(), budget_gzip_bytes: z.number(), reference_lit_only_gzip_bytes: z.number() });
const memoryStates = z.object({ peak_during_ingest: z.number(), idle: z.number(), under_chat_load_p50: z.number(), under_chat_load_max: z.number() });
const memoryShape = z.object({ rss_mib: memoryStates, chat_load: z.object({ chats_per_second: z.number(), failed: z.number() }) });
const memorySchema = z.object({
  plan_mib: z.number(),
  budgets_mib: z.record(z.enum(['embedded', 'production']), z.object({ peak_during_ingest: z.number(), idle: z.number(), under_chat_load_max: z.number() })),
  embedded: memoryShape,
  production: memoryShape,
  reference_bare_fastify_idle_mib: z.number(),
});
const qualitySchema = z.object({
  corpora: z.array(
    z.object({
      corpus: z.string(),
      retrieval: z.object({ hybrid: z.object({ recall_at_1: z.number(), recall_at_5: z.number() }) }),
      answers: z.object({ contains_fact: z.number().nullable(), offcourse_refused: z.number().nullable(), wrongly_refused: z.number().nullable() }),
    }),
  ),
});

export interface SummaryRow {
  area: string;
  figure: string;
  value: string;
  reference: string;
}

const ms = (value: number) => `${value} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function summarize(resultFile: (name: string) => string): SummaryRow[] {
  const read = <T>(name: string, schema: z.ZodType<T>): T => schema.parse(JSON.parse(readFileSync(resultFile(name), 'utf8')));
  const rows: SummaryRow[] = [];
  const add = (area: string, figure: string, value: string, reference = '') => rows.push({ area, figure, value, reference });

  const widget = read('widget', widgetSchema);
  add('widget', 'docent.js gzip', kb(widget.docent_js_gzip_bytes), `budget ${kb(widget.budget_gzip_bytes)}; Lit alone ${kb(widget.reference_lit_only_gzip_bytes)}`);

  const http = read('http', httpSchema);
  add('http', 'GET /health req/s (50 connections)', String(http.docent_health.requests_per_second), `bare Fastify ${http.bare_fastify.requests_per_second} (${Math.round(http.ratio_docent_to_bare * 100)}%; goal ≥ 30%)`);
  add('http', 'GET /health p99', ms(http.docent_health.latency_p99_ms), `bare Fastify ${ms(http.bare_fastify.latency_p99_ms)}`);

  const chat = read('chat', chatSchema);
  for (const [backend, levels] of Object.entries(chat.results)) {
    for (const level of levels) {
      const failed = level.failed > 0 ? `, ${level.failed} failed` : '';
      add('chat', `${backend}, ${level.concurrency} at once: first answer text p50 / p95`, `${ms(level.first_delta_ms.p50)} / ${ms(level.first_delta_ms.p95)}`, level.concurrency === 1 ? 'goal ≤ 50 ms p50' : '');
      add('chat', `${backend}, ${level.concurrency} at once: chats/s`, `${level.chats_per_second}${failed}`);
    }
  }

  const retrieval = read('retrieval', retrievalSchema);
  for (const [store, measured] of Object.entries(retrieval.results)) {
    const chunksPerSecond = measured.ingest.chunks_per_second;
    add('ingest', `${store}: bundled course (${measured.ingest.chunks} chunks), embedding included`, `${measured.ingest.seconds} s`, `${chunksPerSecond} chunks/s with the server's one embedding thread; goal ≥ ${INGEST_GOAL_CHUNKS_PER_SECOND} on two cores (${chunksPerSecond >= INGEST_GOAL_CHUNKS_PER_SECOND ? 'met' : 'not met'})`);
    const course = measured.corpus.find((corpus) => corpus.label === '1×');
    if (course) {
      const embedding = course.query_embedding_ms;
      add('retrieval', `${store}: query embedding p50 (the bundled model, on its thread)`, ms(embedding.p50), `p95 ${ms(embedding.p95)}; goal ≤ ${QUERY_EMBEDDING_GOAL_MS} ms (${embedding.p50 <= QUERY_EMBEDDING_GOAL_MS ? 'met' : 'not met'})`);
    }
    const atScale = measured.corpora_at_scale;
    for (const corpus of measured.corpus) {
      const fromCorpora = corpus.label === 'corpora';
      const size = fromCorpora ? `${corpus.chunks} chunks from the corpora` : `${corpus.chunks} chunks (${corpus.label})`;
      const goals = fromCorpora && atScale && store === 'pgvector' ? atScale.goals : undefined;
      const goal = (limit: number | undefined, met: boolean) => (limit === undefined ? '' : `; goal ${limit} (${met ? 'met' : 'not met'})`);
      add(
        'retrieval',
        `${store}, ${size}: hybrid search p50 (with query embedding)`,
        ms(corpus.search_with_embedding_ms.p50),
        `p95 ${ms(corpus.search_with_embedding_ms.p95)}; without the embedding ${ms(corpus.search_without_embedding_ms_p50)}${goal(goals?.search_with_embedding_p50_ms, corpus.search_with_embedding_ms.p50 <= (goals?.search_with_embedding_p50_ms ?? 0))}`,
      );
      add(
        'retrieval',
        `${store}, ${size}: dense search p50 / ANN recall@10 vs exact`,
        `${ms(corpus.store_dense_search_ms.p50)} / ${corpus.ann_recall_at_10}`,
        `plain pgvector SQL at its defaults ${ms(corpus.raw_pgvector_sql_ms.p50)}${goal(goals?.ann_recall_at_10, corpus.ann_recall_at_10 >= (goals?.ann_recall_at_10 ?? 1))}`,
      );
    }
    if (atScale) {
      add('ingest', `${store}: ${atScale.chunks} chunks, writing and indexing (embedding excluded)`, `${atScale.write_and_index_seconds} s`, `with the bundled model's embedding, ~${atScale.projected_ingest_seconds_with_bundled_model} s`);
    }
  }

  const memory = read('memory', memorySchema);
  for (const shape of ['embedded', 'production'] as const) {
    const { rss_mib: rss, chat_load: load } = memory[shape];
    const budget = memory.budgets_mib[shape];
    const label = shape === 'embedded' ? 'embedded (PGlite)' : 'PostgreSQL + pgvector';
    const goal = (value: number, limit: number) => `goal ≤ ${limit} MiB (${value <= limit ? 'met' : 'not met'}); plan ${memory.plan_mib} MB`;
    add('memory', `${label}: RSS peak while ingesting the bundled course`, `${rss.peak_during_ingest} MiB`, goal(rss.peak_during_ingest, budget.peak_during_ingest));
    add('memory', `${label}: RSS idle (after a restart)`, `${rss.idle} MiB`, `${goal(rss.idle, budget.idle)}; bare Fastify ${memory.reference_bare_fastify_idle_mib} MiB`);
    add('memory', `${label}: RSS under 16 readers p50 / max`, `${rss.under_chat_load_p50} / ${rss.under_chat_load_max} MiB`, `${goal(rss.under_chat_load_max, budget.under_chat_load_max)}; ${load.chats_per_second} chats/s, ${load.failed} failed`);
  }

  for (const corpus of read('answer-quality', qualitySchema).corpora) {
    const { retrieval, answers } = corpus;
    add('quality', `${corpus.corpus}: hybrid recall@1 / @5, answers with the fact`, `${retrieval.hybrid.recall_at_1} / ${retrieval.hybrid.recall_at_5}, ${answers.contains_fact ?? '–'}`, `off-course refused ${answers.offcourse_refused ?? '–'}, wrongly refused ${answers.wrongly_refused ?? '–'}`);
  }
  return rows;
}
