import { chatRequestSchema, ERROR_CATALOGUE, type ChatRequest } from '@docent/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HistoryStore, Owner } from '../chat/history-store.js';
import type { DailyTokenBudget } from '../chat/token-budget.js';
import { AppError } from '../errors.js';
import { refuseWhenBudgetSpent } from '../http/chat-routes.js';
import { addressKey } from '../http/rate-limits.js';
import type { ReaderResolver } from '../http/reader.js';
import { acceptQuestion, acceptRetry, answerQuestion, warmUpRetrieval, type AnswerDependencies, type Exchange } from '../rag/answer-question.js';
import { AnswerTranslator } from './answer-events.js';
import { ChatKitStream } from './chatkit-stream.js';
import type { RequestOf, UserMessageInput } from './requests.js';
import { chatKitThread, userMessageItem, type ChatKitEvent } from './wire.js';

export interface ChatKitDependencies {
  answering: Omit<AnswerDependencies, 'log'>;
  history: HistoryStore;
  readers: ReaderResolver;
  budget: DailyTokenBudget | undefined;
  heartbeatMs: number;
  /** Where Docent's course pages are: ChatKit's UI runs on another origin, so links must be absolute. */
  publicUrl: string;
}

export type AnsweringRequest = RequestOf<'threads.create'> | RequestOf<'threads.add_user_message'> | RequestOf<'threads.retry_after_item'>;

/**
 * The operations that produce an answer, read top to bottom like `/api/v1/chat`: resolve the reader,
 * check the budget, store the question (an unknown thread is a plain 404 before any byte is
 * streamed), then stream the answer as ChatKit events. Once the stream has started, failures
 * travel inside it as `error` events.
 */
export async function streamAnswer(deps: ChatKitDependencies, request: FastifyRequest, reply: FastifyReply, body: AnsweringRequest): Promise<FastifyReply> {
  const owner = await deps.readers.owner(request, reply, { create: true });
  const asker = { owner, address: addressKey(request.ip) };
  if (deps.budget) await refuseWhenBudgetSpent(deps.budget, asker, reply);
  const { exchange, opening } = await acceptForChatKit(deps, owner, body, pageUrlOf(body.metadata, deps.publicUrl));
  await deps.budget?.recordAnswer(asker, exchange.answerId);

  const stream = new ChatKitStream(reply, deps.heartbeatMs);
  const translator = new AnswerTranslator(exchange.threadId, deps.publicUrl);
  try {
    for (const event of opening) stream.send(event);
    // The reader may stop an answer by aborting the request (ChatKit's stop button).
    stream.send({ type: 'stream_options', stream_options: { allow_cancel: true } });
    stream.send({ type: 'progress_update', icon: 'search', text: 'Searching the course…' });
    for await (const event of answerQuestion({ ...deps.answering, log: request.log }, exchange, stream.signal, request.id)) {
      for (const translated of translator.translate(event)) stream.send(translated);
    }
  } catch (error) {
    request.log.error({ err: error }, 'the ChatKit answer stream failed');
    stream.send({ type: 'error', code: 'custom', message: `${ERROR_CATALOGUE.internal_error.message} (request ID: ${request.id})`, allow_retry: true });
  } finally {
    stream.end();
  }
  return reply;
}

/** A protocol operation Docent does not offer, answered inside the stream the client expects. */
export function streamUnsupported(deps: Pick<ChatKitDependencies, 'heartbeatMs'>, request: FastifyRequest, reply: FastifyReply, type: string): FastifyReply {
  const stream = new ChatKitStream(reply, deps.heartbeatMs);
  stream.send(unsupportedError(type, request.id));
  stream.end();
  return reply;
}

export function unsupportedError(type: string, requestId: string): Extract<ChatKitEvent, { type: 'error' }> {
  return { type: 'error', code: 'custom', message: `Docent does not support "${type}" (request ID: ${requestId}).`, allow_retry: false };
}

/** Stores the question (or restarts after it, for a retry) and says which events open the stream. */
async function acceptForChatKit(deps: ChatKitDependencies, owner: Owner, body: AnsweringRequest, pageUrl: string): Promise<{ exchange: Exchange; opening: ChatKitEvent[] }> {
  if (body.type === 'threads.retry_after_item') {
    const { exchange, removedIds } = await acceptRetry(deps.history, owner, body.params.thread_id, body.params.item_id);
    // The reference server removes them silently; ChatKit's docs say the server's events remove them.
    return { exchange, opening: removedIds.map((itemId): ChatKitEvent => ({ type: 'thread.item.removed', item_id: itemId })) };
  }
  const question = docentQuestion(body.params.input, body.type === 'threads.add_user_message' ? body.params.thread_id : undefined, pageUrl);
  warmUpRetrieval(deps.answering.knowledge, question);
  const exchange = await acceptQuestion(deps.history, owner, question);
  const asked = userMessageItem(exchange.threadId, { id: exchange.questionId, content: question.message, selection: question.selection ?? null, created_at: new Date().toISOString() });
  const opening: ChatKitEvent[] = [{ type: 'thread.item.done', item: asked }];
  if (body.type === 'threads.create') {
    const thread = await deps.history.findThread(owner, exchange.threadId);
    if (thread) opening.unshift({ type: 'thread.created', thread: chatKitThread(thread) });
  }
  return { exchange, opening };
}

/**
 * A ChatKit message as Docent's question: its text parts (and @-tags' text) joined; a quoted
 * passage is asked about like a selection on a course page. Checked by `/api/v1/chat`'s own schema,
 * so both protocols accept exactly the same questions.
 */
export function docentQuestion(input: UserMessageInput, threadId: string | undefined, pageUrl: string): ChatRequest {
  const message = input.content.map((part) => part.text).join('');
  const quoted = input.quoted_text?.trim();
  const parsed = chatRequestSchema.safeParse({
    ...(threadId === undefined ? {} : { thread_id: threadId }),
    message,
    ...(quoted ? { selection: { text: quoted, page_url: pageUrl } } : {}),
  });
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => ({
    field: issue.path[0] === 'selection' ? 'body.params.input.quoted_text' : 'body.params.input.content',
    message: issue.message,
  }));
  throw new AppError('validation_failed', `The message is not valid: ${fields.map((field) => `${field.field} ${field.message}`).join('; ')}.`, fields);
}

/** ChatKit does not say which page the reader is on; a host page may pass it as `metadata.page_url`. */
function pageUrlOf(metadata: Record<string, unknown> | null | undefined, publicUrl: string): string {
  const given = metadata?.page_url;
  return typeof given === 'string' && /^https?:\/\/\S+$/.test(given) && given.length <= 2_000 ? given : `${publicUrl}/`;
}
