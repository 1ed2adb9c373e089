import { errorResponseSchema, searchQuerySchema, searchResponseSchema, storeStatusSchema } from '@docent/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import type { AddressCeiling, searchRateLimit } from './rate-limits.js';
import { LEXICAL_ONLY_NOTICE, retrieveWithFallback } from '../rag/retrieval/retrieve.js';

/** Course search for readers and tools, and the vector store's status for operators. */
export const knowledgeRoutes: FastifyPluginAsyncZod<{ knowledge: KnowledgeBase; rateLimit: ReturnType<typeof searchRateLimit>; addressCeiling: AddressCeiling }> = async (
  app,
  { knowledge, rateLimit, addressCeiling },
) => {
  app.get(
    '/api/v1/search',
    {
      config: { rateLimit },
      preValidation: addressCeiling,
      schema: {
        tags: ['course'],
        summary: 'Course passages ranked by relevance to a question (hybrid dense + full-text search; full-text alone, with a notice, while the vector store is down)',
        querystring: searchQuerySchema,
        response: { 200: searchResponseSchema, 400: errorResponseSchema, 429: errorResponseSchema },
      },
    },
    async (request) => {
      const { q, k } = request.query;
      const { chunks, lexicalOnly } = await retrieveWithFallback(knowledge, q, k, {}, request.log);
      // The response schema keeps only the published fields (internal ones like position are dropped).
      return { query: q, results: chunks, notices: lexicalOnly ? [LEXICAL_ONLY_NOTICE] : [] };
    },
  );

  app.get(
    '/api/v1/qdrant/status',
    {
      schema: {
        tags: ['operations'],
        summary: 'The vector store: connected or not, collection, vector count and dimensions',
        response: { 200: storeStatusSchema, 503: storeStatusSchema },
      },
    },
    async (_request, reply) => {
      const status = await knowledge.store.status();
      const progress = knowledge.indexing.snapshot();
      return reply.code(status.status === 'connected' ? 200 : 503).send(progress === undefined ? status : { ...status, indexing: progress });
    },
  );
};
