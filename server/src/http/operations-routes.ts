import { errorResponseSchema, healthResponseSchema, metricsResponseSchema } from '@docent/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import type { IndexingProgress } from '../knowledge/indexing-progress.js';
import type { RequestMetrics } from '../observability/metrics.js';

/** The health check answers "degraded" when the database is slower than this. */
export const HEALTH_DATABASE_TIMEOUT_MS = 1_000;
/** Health probes within this long of a database check share its answer. */
export const HEALTH_CHECK_FRESHNESS_MS = 100;

export interface OperationsRoutesOptions {
  database: Database;
  metrics: RequestMetrics;
  indexing: IndexingProgress;
}

/** Health and metrics: what load balancers, uptime monitors and Prometheus scrape. */
export const operationsRoutes: FastifyPluginAsyncZod<OperationsRoutesOptions> = async (app, { database, metrics, indexing }) => {
  // A database check is shared by every health probe within HEALTH_CHECK_FRESHNESS_MS of it, so a
  // burst of probes (several load balancers, a benchmark, a misconfigured monitor) costs the
  // database at most a few queries a second. The embedded database answers on the main thread,
  // where a query per probe would slow every other request down.
  let lastCheck: { startedAt: number; connected: Promise<boolean> } | undefined;
  const isDatabaseConnected = (): Promise<boolean> => {
    const now = performance.now();
    if (lastCheck && now - lastCheck.startedAt < HEALTH_CHECK_FRESHNESS_MS) return lastCheck.connected;
    const connected = database.ping(HEALTH_DATABASE_TIMEOUT_MS).then(
      () => true,
      (error: unknown) => {
        app.log.warn({ err: error, location: database.location }, 'health check: database unreachable');
        return false;
      },
    );
    lastCheck = { startedAt: now, connected };
    return connected;
  };

  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness and database reachability',
        response: { 200: healthResponseSchema, 503: healthResponseSchema },
      },
    },
    async (_request, reply) => {
      const connected = await isDatabaseConnected();
      const uptime_seconds = metrics.uptimeSeconds();
      // Indexing is progress, not ill health: the status stays ok and the field says how far it got.
      const progress = indexing.snapshot();
      const extra = progress === undefined ? {} : { indexing: progress };
      if (connected) return { status: 'ok' as const, database: 'connected' as const, uptime_seconds, ...extra };
      return reply.code(503).send({ status: 'degraded', database: 'disconnected', uptime_seconds, ...extra });
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
