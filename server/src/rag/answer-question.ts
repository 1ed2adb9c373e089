import { ERROR_CATALOGUE, type ChatRequest, type ChatStreamEvent, type CourseIndexing, type ThreadMessage, type Usage } from '@docent/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { HistoryStore, Owner } from '../chat/history-store.js';
import { isDatabaseUnreachable } from '../db/prepare.js';
import { AppError } from '../errors.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { AnswerOutcome } from '../observability/metrics.js';
import { CitationFilter } from './answering/citations.js';
import { GenerationError, NO_USAGE, type ConversationTurn, type Generator, type GroundingSource } from './answering/generator.js';
import { courseCovers, type CoverageEvidence } from './retrieval/relevance.js';
import { LEXICAL_ONLY_NOTICE } from './retrieval/retrieve.js';
import { firstQuery, retrieveForTurn, type ReaderTurn } from './retrieval/retrieve-for-turn.js';
import { numberSources } from './answering/sources.js';

/** Course sections an answer draws on (a selection comes on top). */
const SOURCES_PER_ANSWER = 4;
/** Earlier turns passed to generators that can use them. */
const HISTORY_TURNS = 6;

export interface AnswerDependencies {
  knowledge: KnowledgeBase;
  history: HistoryStore;
  generator: Generator;
  minDenseScore: number;
  log: FastifyBaseLogger;
  /** Told how each answer ended (for /metrics), once it is stored or its storing failed. */
  recordOutcome?: (outcome: AnswerOutcome, keywordOnly: boolean) => void;
}

/** A question accepted and stored: the thread and answer ids exist, the answer is yet to come. */
export interface Exchange {
  threadId: string;
  questionId: string;
  answerId: string;
  request: ChatRequest;
  history: ConversationTurn[];
}

/**
 * Step 0, before any byte of the answer is sent: resolve the thread (an unknown or foreign id is a
 * plain 404) and store the question, so it is never lost whatever happens to the answer.
 */
export async function acceptQuestion(history: HistoryStore, owner: Owner, request: ChatRequest): Promise<Exchange> {
  let earlier: ConversationTurn[] = [];
  let threadId: string;
  if (request.thread_id) {
    if (!(await history.findThread(owner, request.thread_id))) throw new AppError('not_found', 'This conversation does not exist (or was deleted).');
    threadId = request.thread_id;
    earlier = conversationSoFar(await history.messagesOf(threadId));
  } else {
    threadId = await history.createThread(owner, request.message);
  }
  const { questionId, answerId } = await history.startExchange(threadId, request.message, request.selection);
  return { threadId, questionId, answerId, request, history: earlier };
}

/**
 * Step 0 for answering a stored question again (a retry): everything after the question is removed
 * and a new answer placeholder takes its place. An unknown or foreign thread, or an id that is not
 * one of its questions, is a plain 404. Returns the removed message ids too.
 */
export async function acceptRetry(history: HistoryStore, owner: Owner, threadId: string, questionId: string): Promise<{ exchange: Exchange; removedIds: string[] }> {
  const missing = () => new AppError('not_found', 'This conversation or message does not exist (or was deleted).');
  if (!(await history.findThread(owner, threadId))) throw missing();
  const stored = await history.messagesOf(threadId);
  const position = stored.findIndex((message) => message.id === questionId && message.role === 'user');
  const question = stored[position];
  if (!question) throw missing();
  const { answerId, removedIds } = await history.restartAfter(threadId, questionId);
  const request: ChatRequest = { thread_id: threadId, message: question.content, ...(question.selection ? { selection: question.selection } : {}) };
  return { exchange: { threadId, questionId, answerId, request, history: conversationSoFar(stored.slice(0, position)) }, removedIds };
}

/** The earlier turns a generator may use: complete messages only, the most recent few. */
function conversationSoFar(messages: readonly ThreadMessage[]): ConversationTurn[] {
  return messages
    .filter((message) => message.status === 'complete' && message.content !== '')
    .slice(-HISTORY_TURNS)
    .map(({ role, content }) => ({ role, content }));
}

/**
 * Steps 1–4: retrieve, decide whether the course covers the question, generate with citations,
 * store the answer. Yields the wire events in order. The answer is stored before `done` is yielded;
 * if the reader goes away (`signal`) or generation fails, what was written is stored as
 * `interrupted` or `failed` and, for a failure, an `error` event ends the stream.
 */
export async function* answerQuestion(deps: AnswerDependencies, exchange: Exchange, signal: AbortSignal, requestId: string): AsyncGenerator<ChatStreamEvent> {
  const { request } = exchange;
  yield { event: 'thread', data: { thread_id: exchange.threadId, message_id: exchange.answerId } };

  let content = '';
  let sources: GroundingSource[] = [];
  let usage: Usage = NO_USAGE;
  const citations = { cited: new Set<number>() };
  let generatorName = deps.generator.name;
  let keywordOnly = false;
  const finish = async (status: AnswerOutcome) => {
    // A complete answer counts once it is stored; if storing fails it becomes, and counts as, a failure.
    if (status !== 'complete') deps.recordOutcome?.(status, keywordOnly);
    await deps.history.finishAnswer(exchange.answerId, {
      content,
      status,
      sources: sources.map(({ text: _text, ...source }) => ({ ...source, score: source.score ?? null })),
      cited: [...citations.cited].sort((a, b) => a - b),
      usage,
      generator: generatorName,
    });
    if (status === 'complete') deps.recordOutcome?.(status, keywordOnly);
  };

  try {
    const covers = (evidence: CoverageEvidence) => courseCovers(evidence, deps.minDenseScore);
    const retrieved = await retrieveForTurn(deps.knowledge, readerTurn(exchange), SOURCES_PER_ANSWER, { covers, log: deps.log });
    const { chunks, lexicalOnly } = retrieved;
    keywordOnly = lexicalOnly;
    if (lexicalOnly) yield { event: 'notice', data: LEXICAL_ONLY_NOTICE };
    const covered = request.selection !== undefined || covers(retrieved);
    sources = numberSources(covered ? chunks : chunks.slice(0, 3), request.selection);
    yield { event: 'sources', data: { sources: sources.map(({ text: _text, score: _score, ...source }) => source) } };

    // While the course is still being indexed, "not covered" would be a guess: say what is going on.
    const indexing = deps.knowledge.indexing.snapshot();
    if (indexing !== undefined) yield { event: 'notice', data: { code: 'indexing', message: indexingNotice(indexing, covered) } };

    if (!covered) {
      generatorName = indexing === undefined ? 'not-covered' : 'still-indexing';
      if (indexing === undefined) yield { event: 'notice', data: { code: 'not_covered', message: 'The course does not seem to cover this question.' } };
      content = indexing === undefined ? notCoveredAnswer(sources) : stillIndexingAnswer(indexing, sources);
      for (const source of sources) citations.cited.add(source.id);
      yield { event: 'delta', data: { text: content } };
    } else {
      const filter = new CitationFilter(new Set(sources.map((source) => source.id)));
      citations.cited = filter.cited;
      for await (const event of deps.generator.generate({ question: request.message, sources, history: exchange.history, signal })) {
        if (signal.aborted) break;
        if (event.type === 'usage') {
          usage = event.usage;
          continue;
        }
        const text = filter.push(event.text);
        if (text === '') continue;
        content += text;
        yield { event: 'delta', data: { text } };
      }
      const rest = filter.flush();
      if (rest !== '' && !signal.aborted) {
        content += rest;
        yield { event: 'delta', data: { text: rest } };
      }
    }
    if (signal.aborted) {
      await finish('interrupted');
      return;
    }
    await finish('complete');
    yield { event: 'done', data: { message_id: exchange.answerId, usage, cited: [...citations.cited].sort((a, b) => a - b) } };
  } catch (error) {
    if (signal.aborted) {
      await finish('interrupted').catch((storeError: unknown) => deps.log.error({ err: storeError }, 'could not store an interrupted answer'));
      return;
    }
    await finish('failed').catch((storeError: unknown) => deps.log.error({ err: storeError }, 'could not store a failed answer'));
    yield { event: 'error', data: describeFailure(error, deps.log, requestId) };
  }
}

/**
 * Starts embedding a new thread's question while it is being stored, so retrieval finds the vector
 * ready (the query cache shares a computation in progress). Follow-ups in a thread depend on the
 * stored history and are embedded when answered.
 */
export function warmUpRetrieval(knowledge: KnowledgeBase, request: ChatRequest): void {
  if (request.thread_id !== undefined) return;
  knowledge.queryEmbedder.embed([firstQuery(request)]).catch(() => undefined);
}

function readerTurn(exchange: Exchange): ReaderTurn {
  return { request: exchange.request, previousQuestion: exchange.history.findLast((turn) => turn.role === 'user')?.content };
}

/** ` (64 of 182 passages so far)`, or nothing while the files are still being read. */
function indexingProgress(indexing: CourseIndexing): string {
  return indexing.total > 0 ? ` (${indexing.done} of ${indexing.total} passages so far)` : '';
}

function indexingNotice(indexing: CourseIndexing, covered: boolean): string {
  const progress = indexingProgress(indexing);
  return covered
    ? `The course is still being indexed${progress}, so this answer may miss parts of it.`
    : `The course is still being indexed${progress}, and what is indexed so far does not answer this yet.`;
}

function stillIndexingAnswer(indexing: CourseIndexing, sources: readonly GroundingSource[]): string {
  const retry = `The course is still being indexed${indexingProgress(indexing)}. Nothing indexed yet answers this; please ask again in a minute.`;
  return sources.length === 0 ? retry : `${retry} The closest sections so far:\n\n${sectionList(sources)}`;
}

function notCoveredAnswer(sources: readonly GroundingSource[]): string {
  if (sources.length === 0) return "The course doesn't cover this, and no section comes close.";
  return `The course doesn't seem to cover this, so I won't guess. The closest sections are:\n\n${sectionList(sources)}`;
}

function sectionList(sources: readonly GroundingSource[]): string {
  return sources.map((source) => `- [${source.title}](${source.url}) — ${source.chapter} [${source.id}]`).join('\n');
}

function describeFailure(error: unknown, log: FastifyBaseLogger, requestId: string): { code: 'answer_failed' | 'answer_service_busy' | 'answer_timeout' | 'database_unavailable' | 'internal_error'; message: string; request_id: string } {
  if (error instanceof GenerationError) {
    log.warn({ err: error.cause ?? error, code: error.code }, 'answer generation failed');
    return { code: error.code, message: error.message, request_id: requestId };
  }
  if (isDatabaseUnreachable(error)) {
    log.error({ err: error }, 'the database failed while answering');
    return { code: 'database_unavailable', message: ERROR_CATALOGUE.database_unavailable.message, request_id: requestId };
  }
  log.error({ err: error }, 'answering failed');
  return { code: 'internal_error', message: 'Something went wrong while answering. Please try again.', request_id: requestId };
}
