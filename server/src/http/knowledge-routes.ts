import { errorResponseSchema, searchQuerySchema, searchResponseSchema, storeStatusSchema } from '@docent/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { retrieveRelevantChunks } from '../rag/retrieve.js';

/** Course search for readers and tools, and the vector store's status for operators. */
export const knowledgeRoutes: FastifyPluginAsyncZod<{ knowledge: KnowledgeBase }> = async (app, { knowledge }) => {
  app.get(
    '/api/v1/search',
    {
      schema: {
        tags: ['course'],
        summary: 'Course passages ranked by relevance to a question (hybrid dense + full-text search)',
        querystring: searchQuerySchema,
        response: { 200: searchResponseSchema, 400: errorResponseSchema },
      },
    },
    async (request) => {
      const { q, k } = request.query;
      // The response schema keeps only the published fields (internal ones like position are dropped).
      return { query: q, results: await retrieveRelevantChunks(knowledge, q, k) };
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
      return reply.code(status.status === 'connected' ? 200 : 503).send(status);
    },
  );
};
