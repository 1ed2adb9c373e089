import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Cross-site request forgery guard: a state-changing request that carries cookies (the reader's
 * identity) must come from this server's own pages or from a site in CORS_ORIGINS. A browser
 * always says where a cross-site request comes from (`Origin`, or `Sec-Fetch-Site` on older
 * paths); requests without cookies (API tokens, scripts) have no ambient identity to abuse.
 */
export function registerOriginCheck(app: FastifyInstance, allowedOrigins: readonly string[]): void {
  const allowed = new Set(allowedOrigins);
  // Callback style: it runs on every request and decides without waiting.
  app.addHook('onRequest', (request, _reply, done) => {
    done(isForgeryRisk(request, allowed) ? new AppError('forbidden', 'This request came from a site that is not allowed to act for you.') : undefined);
  });
}

function isForgeryRisk(request: FastifyRequest, allowed: ReadonlySet<string>): boolean {
  if (!STATE_CHANGING.has(request.method) || request.headers.cookie === undefined) return false;
  const origin = request.headers.origin;
  if (origin !== undefined) return origin !== ownOrigin(request) && !allowed.has(origin);
  return request.headers['sec-fetch-site'] === 'cross-site';
}

function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
