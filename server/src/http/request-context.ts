import { randomUUID } from 'node:crypto';
import { isAcceptableRequestId, REQUEST_ID_HEADER } from '@docent/protocol';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { RequestMetrics } from '../observability/metrics.js';

/** A client's `X-Request-ID` is kept when well-formed, so one ID follows a request across systems. */
export function requestIdFor(request: IncomingMessage): string {
  const supplied = request.headers[REQUEST_ID_HEADER];
  return isAcceptableRequestId(supplied) ? supplied : randomUUID();
}

/**
 * Echoes the request ID on every response (set first, so even a failure carries it) and records
 * every response in the metrics. Callback-style hooks: they run on every request, and an async
 * hook costs a promise per call for work that never waits.
 */
export function registerRequestContext(app: FastifyInstance, metrics: RequestMetrics): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    metrics.observe({
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      statusCode: reply.statusCode,
      durationMs: reply.elapsedTime,
    });
    done();
  });
}
