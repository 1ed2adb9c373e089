import { errorResponseSchema, healthResponseSchema, metricsResponseSchema } from '@docent/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import type { RequestMetrics } from '../observability/metrics.js';

/** The health check answers "degraded" when the database is slower than this. */
export const HEALTH_DATABASE_TIMEOUT_MS = 1_000;

export interface OperationsRoutesOptions {
  database: Database;
  metrics: RequestMetrics;
}

/** Health and metrics: what load balancers, uptime monitors and Prometheus scrape. */
export const operationsRoutes: FastifyPluginAsyncZod<OperationsRoutesOptions> = async (app, { database, metrics }) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness and database reachability',
        response: { 200: healthResponseSchema, 503: healthResponseSchema },
      },
    },
    async (request, reply) => {
      const uptime_seconds = metrics.uptimeSeconds();
      try {
        await database.ping(HEALTH_DATABASE_TIMEOUT_MS);
        return { status: 'ok' as const, database: 'connected' as const, uptime_seconds };
      } catch (error) {
        request.log.warn({ err: error }, 'health check: database unreachable');
        return reply.code(503).send({ status: 'degraded', database: 'disconnected', uptime_seconds });
      }
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        summary: 'Request counters and response times since start',
        response: { 200: metricsResponseSchema, 500: errorResponseSchema },
      },
    },
    async () => metrics.snapshot(),
  );

  app.get(
    '/metrics/prometheus',
    {
      schema: {
        tags: ['operations'],
        summary: 'The same metrics in Prometheus text format, with an HTTP duration histogram',
        produces: ['text/plain'],
        response: { 200: z.string() },
      },
    },
    async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
};
