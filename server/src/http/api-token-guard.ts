import type { ApiTokenScope } from '@docent/protocol';
import type { FastifyRequest } from 'fastify';
import type { ApiTokenStore } from '../auth/api-tokens.js';
import { AppError } from '../errors.js';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * A hook that admits only requests with a valid API token (`Authorization: Bearer dct_…`) holding
 * `scope` (an `admin` token holds every scope). Cookies never count: a browser cannot be tricked
 * into using it.
 */
export function requireApiToken(tokens: ApiTokenStore, scope: ApiTokenScope) {
  return async (request: FastifyRequest): Promise<void> => {
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match?.[1]) throw new AppError('unauthorized', 'Send an API token: Authorization: Bearer <token> (create one with npm run admin -- create-token).');
    const token = await tokens.verify(match[1]);
    if (!token) throw new AppError('unauthorized', 'This API token is not valid: it may have been revoked or have expired.');
    if (!token.scopes.includes(scope) && !token.scopes.includes('admin')) throw new AppError('forbidden', `This API token lacks the "${scope}" scope.`);
    request.log.info({ api_token_id: token.id, api_token_name: token.name }, 'API token accepted');
  };
}
