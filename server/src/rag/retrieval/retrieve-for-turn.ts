import type { ChatRequest } from '@docent/protocol';
import type { FastifyBaseLogger } from 'fastify';
import type { KnowledgeBase } from '../../knowledge/knowledge-base.js';
import { contentTerms } from '../text/sentences.js';
import { unfamiliarWords, unknownNames, type CoverageEvidence } from './relevance.js';
import { retrieveWithFallback, searchCourse, type RetrievalMode, type RetrievedChunk } from './retrieve.js';

/** Characters of a selection that steer retrieval: enough for its topic, not a whole page. */
const SELECTION_QUERY_CHARS = 600;
/**
 * Words that point back at something said before ("and for Gazebo?", "what's its default?",
 * "how do I install them?"): a question using them leans on the previous one.
 */
const REFERS_BACK = /^\s*(?:and|also|but|or|so|then|what about|how about|same)\b|\b(?:it|its|it's|they|them|their|theirs|this|these|those|former|latter)\b/i;
/** A question with fewer content words than this names too little to be searched on its own for sure. */
const SHORT_QUESTION_TERMS = 4;

/** One reader turn: what they asked, where, about which selection, after which question. */
export interface ReaderTurn {
  request: Pick<ChatRequest, 'message' | 'selection' | 'page_url'>;
  /** The reader's previous question in the same conversation, if any. */
  previousQuestion: string | undefined;
}

export interface TurnRetrieval extends CoverageEvidence {
  chunks: RetrievedChunk[];
  /** The text that was searched: the question, with the previous question when it leans on it. */
  query: string;
}

/** Decides whether the retrieved passages cover the question (see relevance.ts). */
export type CoverageCheck = (evidence: CoverageEvidence) => boolean;

/**
 * The passages for a turn. A follow-up is decided by evidence, not length alone: a question that
 * points back ("and for Gazebo?") is searched together with the previous question; one that names
 * its own topic is searched as asked. A short question that does neither ("Gazebo version?") is
 * searched on its own first and only borrows the previous topic when the course does not cover it
 * alone. Degrades to keyword search when the vector store fails (see retrieveWithFallback).
 */
export async function retrieveForTurn(
  knowledge: KnowledgeBase,
  turn: ReaderTurn,
  limit: number,
  options: { covers: CoverageCheck; log: Pick<FastifyBaseLogger, 'warn'>; mode?: RetrievalMode },
): Promise<TurnRetrieval> {
  const search = async ({ query, emphasis }: TurnQuery): Promise<TurnRetrieval> => {
    const preferPage = turn.request.selection?.page_url ?? turn.request.page_url;
    const { mode } = options;
    const found =
      mode === undefined
        ? await retrieveWithFallback(knowledge, query, limit, { preferPage, emphasis }, options.log)
        : { ...(await searchCourse(knowledge, query, limit, { mode, preferPage, emphasis })), lexicalOnly: false };
    return { ...found, unfamiliarWords: await unfamiliar, unknownNames: await unknown, query };
  };
  // Only the reader's new words count: the previous question was answered already, and a
  // selection is course text.
  const unfamiliar = unfamiliarWords(knowledge.catalog, turn.request.message);
  unfamiliar.catch(() => undefined);
  const unknown = unknownNames(knowledge.catalog, turn.request.message);
  unknown.catch(() => undefined);
  const [first, second] = candidateQueries(turn);
  const retrieved = await search(first);
  if (second === undefined || options.covers(retrieved)) return retrieved;
  const withTopic = await search(second);
  return options.covers(withTopic) ? withTopic : retrieved;
}

/** The query a new thread's first question will be searched with (to embed it ahead of time). */
export function firstQuery(request: ReaderTurn['request']): string {
  return withSelection(request.message, request);
}

interface TurnQuery {
  query: string;
  /** The reader's new words, when the query also carries the previous question for its topic. */
  emphasis?: string;
}

/** The queries to try, in order: the question alone and/or with the previous question's topic. */
function candidateQueries(turn: ReaderTurn): [TurnQuery] | [TurnQuery, TurnQuery] {
  const { request, previousQuestion } = turn;
  const alone = { query: withSelection(request.message, request) };
  if (previousQuestion === undefined) return [alone];
  // The previous question lends its topic; the reader's new words still say what is asked.
  const withTopic = { query: withSelection(`${request.message}\n${previousQuestion}`, request), emphasis: request.message };
  if (REFERS_BACK.test(request.message)) return [withTopic];
  if (contentTerms(request.message).length >= SHORT_QUESTION_TERMS) return [alone];
  return [alone, withTopic];
}

function withSelection(text: string, request: ReaderTurn['request']): string {
  return [text, request.selection?.text.slice(0, SELECTION_QUERY_CHARS)].filter(Boolean).join('\n');
}
