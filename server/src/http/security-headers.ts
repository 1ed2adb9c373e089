import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's security headers with the same options on every response. The CSP is off (the docs UI and
 * the bundled course pages set their own needs) and so is COEP (course sites embed the widget).
 */
const SECURITY_HEADER_OPTIONS: Readonly<HelmetOptions> = { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false };

/**
 * The headers helmet would set, computed once. Helmet's headers depend only on its options, never on
 * the request, yet @fastify/helmet built helmet's middleware again for every request and ran its
 * dozen steps: about 7% of the server's time per `/health` probe (issue 19's profile). Running helmet
 * itself once against a recording response keeps its defaults as they are, release after release.
 */
function computeSecurityHeaders(options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: number | string | readonly string[]) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  return Object.freeze(Object.fromEntries(headers));
}

/** Sets the security headers on every response, errors and 404s included, before any handler runs. */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const headers = computeSecurityHeaders(SECURITY_HEADER_OPTIONS);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
