import {
  apiTokenListSchema,
  createApiTokenRequestSchema,
  createdApiTokenSchema,
  errorResponseSchema,
  ingestRunSchema,
  insightsQuerySchema,
  insightsSchema,
  startIngestRequestSchema,
  type ApiTokenScope,
} from '@docent/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiTokenStore } from '../auth/api-tokens.js';
import { readInsights } from '../chat/insights.js';
import type { DocentDb } from '../db/database.js';
import { AppError } from '../errors.js';
import type { IngestRunner } from '../knowledge/ingest-runner.js';
import { requireApiToken } from './api-token-guard.js';

export interface AdminRouteOptions {
  tokens: ApiTokenStore;
  ingest: IngestRunner;
  db: DocentDb;
}

const REFUSALS = { 401: errorResponseSchema, 403: errorResponseSchema };

/**
 * Operators' API, for API tokens only (`Authorization: Bearer dct_…`), never cookies: a browser
 * cannot be tricked into using it. `admin` tokens may do everything, `read` tokens only look.
 */
export const adminRoutes: FastifyPluginAsyncZod<AdminRouteOptions> = async (app, { tokens, ingest, db }) => {
  const requireScope = (scope: ApiTokenScope) => requireApiToken(tokens, scope);
  const security = [{ apiToken: [] }];

  app.get(
    '/api/v1/admin/tokens',
    { preHandler: requireScope('admin'), schema: { tags: ['admin'], security, summary: 'List API tokens (never the tokens themselves)', response: { 200: apiTokenListSchema, ...REFUSALS } } },
    async () => ({ tokens: await tokens.list() }),
  );

  app.post(
    '/api/v1/admin/tokens',
    {
      preHandler: requireScope('admin'),
      schema: { tags: ['admin'], security, summary: 'Create an API token; the response is the only time it is shown', body: createApiTokenRequestSchema, response: { 201: createdApiTokenSchema, 400: errorResponseSchema, ...REFUSALS } },
    },
    async (request, reply) => {
      const created = await tokens.create({ name: request.body.name, scopes: request.body.scopes, expiresInDays: request.body.expires_in_days });
      return reply.code(201).send(created);
    },
  );

  app.delete(
    '/api/v1/admin/tokens/:id',
    {
      preHandler: requireScope('admin'),
      schema: { tags: ['admin'], security, summary: 'Revoke an API token; it stops working at once', params: z.object({ id: z.uuid() }), response: { 204: z.null(), 400: errorResponseSchema, 404: errorResponseSchema, ...REFUSALS } },
    },
    async (request, reply) => {
      if (!(await tokens.revoke(request.params.id))) throw new AppError('not_found', 'No active API token has this id.');
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/admin/ingest',
    {
      preHandler: requireScope('admin'),
      schema: { tags: ['admin'], security, summary: 'Re-ingest the course in the background (readers keep being answered meanwhile)', body: startIngestRequestSchema.nullish(), response: { 202: ingestRunSchema, 409: errorResponseSchema, ...REFUSALS } },
    },
    async (request, reply) => {
      if (!ingest.start({ reset: request.body?.reset ?? false })) throw new AppError('ingest_in_progress');
      return reply.code(202).send(ingest.status());
    },
  );

  app.get(
    '/api/v1/admin/ingest',
    { preHandler: requireScope('read'), schema: { tags: ['admin'], security, summary: 'The state of the latest re-ingest', response: { 200: ingestRunSchema, ...REFUSALS } } },
    async () => ingest.status(),
  );

  app.get(
    '/api/v1/admin/insights',
    { preHandler: requireScope('read'), schema: { tags: ['admin'], security, summary: 'What readers asked and how answers fared (counts only)', querystring: insightsQuerySchema, response: { 200: insightsSchema, 400: errorResponseSchema, ...REFUSALS } } },
    async (request) => readInsights(db, new Date(Date.now() - request.query.days * 24 * 60 * 60 * 1000)),
  );
};
