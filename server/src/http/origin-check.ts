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
  app.addHook('onRequest', async (request) => {
    if (!STATE_CHANGING.has(request.method) || request.headers.cookie === undefined) return;
    const origin = request.headers.origin;
    if (origin !== undefined) {
      if (origin === ownOrigin(request) || allowed.has(origin)) return;
      throw new AppError('forbidden', 'This request came from a site that is not allowed to act for you.');
    }
    if (request.headers['sec-fetch-site'] === 'cross-site') {
      throw new AppError('forbidden', 'This request came from a site that is not allowed to act for you.');
    }
  });
}

function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}
