import {
  chatRequestSchema,
  chatResponseSchema,
  ERROR_CATALOGUE,
  errorResponseSchema,
  feedbackRequestSchema,
  feedbackResponseSchema,
  threadListSchema,
  threadMessagesSchema,
  threadParamsSchema,
  type ChatResponse,
  type ChatStreamEvent,
} from '@docent/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HistoryStore } from '../chat/history-store.js';
import type { BudgetedAsker, DailyTokenBudget } from '../chat/token-budget.js';
import { AppError } from '../errors.js';
import { acceptQuestion, answerQuestion, warmUpRetrieval, type AnswerDependencies } from '../rag/answer-question.js';
import { errorBody } from './error-handler.js';
import { EventStream } from './event-stream.js';
import { addressKey, type AddressCeiling } from './rate-limits.js';
import type { ReaderResolver } from './reader.js';

/** How a chat can fail before or, for JSON clients, during its answer. */
const ANSWER_FAILURES = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  404: errorResponseSchema,
  429: errorResponseSchema,
  500: errorResponseSchema,
  502: errorResponseSchema,
  503: errorResponseSchema,
  504: errorResponseSchema,
};

export interface ChatRouteOptions {
  answering: Omit<AnswerDependencies, 'log'>;
  history: HistoryStore;
  heartbeatMs: number;
  readers: ReaderResolver;
  rateLimit: { max: number; timeWindow: number; keyGenerator: (request: FastifyRequest) => Promise<string> };
  /** All signed-in readers at one address together (a preValidation hook: after `rateLimit`). */
  addressCeiling: AddressCeiling;
  /** Checked before an answer is generated; unset → no budget. */
  budget: DailyTokenBudget | undefined;
}

/** Asking (streamed or not), the reader's threads, and feedback on answers. */
export const chatRoutes: FastifyPluginAsyncZod<ChatRouteOptions> = async (app, { answering, history, heartbeatMs, readers, rateLimit, addressCeiling, budget }) => {
  app.post(
    '/api/v1/chat',
    {
      config: { rateLimit },
      preValidation: addressCeiling,
      schema: {
        tags: ['chat'],
        summary: 'Ask a question: a cited answer from the course, as Server-Sent Events (Accept: text/event-stream) or one JSON object',
        body: chatRequestSchema,
        response: { 200: chatResponseSchema, ...ANSWER_FAILURES },
      },
    },
    async (request, reply) => {
      const owner = await readers.owner(request, reply, { create: true });
      // Counted by the same address key as the rate limits (one IPv6 /64, IPv4-mapped as IPv4).
      const asker = { owner, address: addressKey(request.ip) };
      if (budget) await refuseWhenBudgetSpent(budget, asker, reply);
      warmUpRetrieval(answering.knowledge, request.body);
      const exchange = await acceptQuestion(history, owner, request.body);
      await budget?.recordAnswer(asker, exchange.answerId);
      const deps = { ...answering, log: request.log };

      if ((request.headers.accept ?? '').includes('text/event-stream')) {
        const stream = new EventStream(reply, heartbeatMs);
        try {
          for await (const event of answerQuestion(deps, exchange, stream.signal, request.id)) stream.send(event);
        } catch (error) {
          // Headers are gone: the failure can only travel as the stream's last event.
          request.log.error({ err: error }, 'the answer stream failed');
          stream.send({ event: 'error', data: { code: 'internal_error', message: ERROR_CATALOGUE.internal_error.message, request_id: request.id } });
        } finally {
          stream.end();
        }
        return reply;
      }

      const events: ChatStreamEvent[] = [];
      for await (const event of answerQuestion(deps, exchange, new AbortController().signal, request.id)) events.push(event);
      const failure = events.find((event) => event.event === 'error');
      if (failure) return reply.code(ERROR_CATALOGUE[failure.data.code].status as keyof typeof ANSWER_FAILURES).send(errorBody(failure.data.code, failure.data.message, request.id));
      return collectAnswer(events);
    },
  );

  app.get(
    '/api/v1/threads',
    { schema: { tags: ['chat'], summary: "The reader's conversations, most recent first", response: { 200: threadListSchema, 401: errorResponseSchema } } },
    async (request, reply) => {
      const owner = await readers.owner(request, reply, { create: false });
      return { threads: owner ? await history.listThreads(owner) : [] };
    },
  );

  app.get(
    '/api/v1/threads/:id/messages',
    {
      schema: {
        tags: ['chat'],
        summary: 'One conversation with its messages, oldest first',
        params: threadParamsSchema,
        response: { 200: threadMessagesSchema, 400: errorResponseSchema, 401: errorResponseSchema, 404: errorResponseSchema },
      },
    },
    async (request, reply) => {
      const owner = await readers.owner(request, reply, { create: false });
      const thread = owner ? await history.findThread(owner, request.params.id) : undefined;
      if (!thread) throw new AppError('not_found', 'This conversation does not exist (or was deleted).');
      return { thread, messages: await history.messagesOf(thread.id) };
    },
  );

  app.delete(
    '/api/v1/threads/:id',
    {
      schema: {
        tags: ['chat'],
        summary: 'Delete a conversation and its messages',
        params: threadParamsSchema,
        response: { 204: z.null(), 400: errorResponseSchema, 401: errorResponseSchema, 404: errorResponseSchema },
      },
    },
    async (request, reply) => {
      const owner = await readers.owner(request, reply, { create: false });
      if (!owner || !(await history.deleteThread(owner, request.params.id))) throw new AppError('not_found', 'This conversation does not exist (or was deleted).');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/messages/:id/feedback',
    {
      schema: {
        tags: ['chat'],
        summary: 'Rate an answer (rating again replaces the earlier rating)',
        params: threadParamsSchema,
        body: feedbackRequestSchema,
        response: { 200: feedbackResponseSchema, 400: errorResponseSchema, 401: errorResponseSchema, 404: errorResponseSchema },
      },
    },
    async (request, reply) => {
      const owner = await readers.owner(request, reply, { create: false });
      const { rating, comment } = request.body;
      if (!owner || !(await history.rateAnswer(owner, request.params.id, rating, comment))) throw new AppError('not_found', 'This answer does not exist.');
      return { message_id: request.params.id, rating, comment: comment ?? null };
    },
  );
};

/** Refuses (429 with Retry-After) before anything is stored when the asker spent today's budget. */
export async function refuseWhenBudgetSpent(budget: DailyTokenBudget, asker: BudgetedAsker, reply: FastifyReply): Promise<void> {
  const check = await budget.check(asker);
  if (check.available) return;
  const seconds = Math.max(1, Math.ceil((check.renewsAt.getTime() - Date.now()) / 1000));
  reply.header('retry-after', String(seconds));
  const hours = Math.ceil(seconds / 3600);
  throw new AppError('token_budget_exhausted', `You have used today's answer budget (${check.limit} tokens). It renews at midnight UTC, in about ${hours} hour${hours === 1 ? '' : 's'}.`);
}

function collectAnswer(events: readonly ChatStreamEvent[]): ChatResponse {
  const answer: Partial<ChatResponse> & { answer: string; notices: ChatResponse['notices'] } = { answer: '', notices: [], sources: [] };
  for (const event of events) {
    if (event.event === 'thread') Object.assign(answer, event.data);
    else if (event.event === 'sources') answer.sources = event.data.sources;
    else if (event.event === 'notice') answer.notices.push(event.data);
    else if (event.event === 'delta') answer.answer += event.data.text;
    else if (event.event === 'done') Object.assign(answer, { usage: event.data.usage, cited: event.data.cited });
  }
  return chatResponseSchema.parse(answer);
}
