import { errorResponseSchema, meResponseSchema, profileResponseSchema, readerProfileSchema, type MeResponse } from '@docent/protocol';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Accounts } from '../auth/accounts.js';
import type { ProfileStore } from '../auth/profiles.js';
import { resetPasswordPage } from '../site/reset-password-page.js';
import { SITE_CONTENT_SECURITY_POLICY } from '../site/site-routes.js';
import { PASSWORD_RESET_PAGE } from './auth-routes.js';
import type { ReaderResolver } from './reader.js';

export interface AccountRouteOptions {
  accounts: Accounts;
  readers: ReaderResolver;
  profiles: ProfileStore;
  rateLimit: { max: number; timeWindow: number };
}

const UNAUTHORIZED = { 401: errorResponseSchema };

/** The signed-in reader, their profile questionnaire, and the password-reset page. */
export const accountRoutes: FastifyPluginAsyncZod<AccountRouteOptions> = async (app, { accounts, readers, profiles, rateLimit }) => {
  app.get(
    '/api/v1/me',
    { schema: { tags: ['accounts'], summary: 'The signed-in reader, or null for an anonymous visitor', response: { 200: meResponseSchema } } },
    async (request): Promise<MeResponse> => {
      // A stale session reads as nobody (its cookie is cleared on the way out: see ReaderResolver).
      const reader = await readers.signedIn(request);
      if (!reader || reader === 'expired') return { account: null };
      return { account: { id: reader.id, name: reader.name, email: reader.email, email_verified: reader.emailVerified, profile: reader.profile } };
    },
  );

  app.get(
    '/api/v1/me/profile',
    { schema: { tags: ['accounts'], summary: "The signed-in reader's questionnaire answers", response: { 200: profileResponseSchema, ...UNAUTHORIZED } } },
    async (request) => ({ profile: (await readers.requireSignedIn(request)).profile }),
  );

  app.put(
    '/api/v1/me/profile',
    {
      schema: {
        tags: ['accounts'],
        summary: "Replace the signed-in reader's questionnaire answers (fields left out are cleared)",
        body: readerProfileSchema,
        response: { 200: profileResponseSchema, 400: errorResponseSchema, ...UNAUTHORIZED },
      },
    },
    async (request) => {
      const reader = await readers.requireSignedIn(request);
      return { profile: await profiles.replace(reader.id, request.body) };
    },
  );

  await app.register(async (scope) => {
    const page = scope.withTypeProvider<ZodTypeProvider>();
    page.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    // `same-origin`: the page's URL (with its token) never leaves for another site, while its own
    // form still posts a real Origin; under `no-referrer` Chromium posts `Origin: null`, which the
    // CSRF check refuses for any browser holding a Docent cookie.
    page.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', SITE_CONTENT_SECURITY_POLICY).header('cache-control', 'no-store').header('referrer-policy', 'same-origin');
    });

    page.get(PASSWORD_RESET_PAGE, { schema: { hide: true, querystring: z.object({ token: z.string().optional(), error: z.string().optional() }) } }, async (request, reply) => {
      const { token, error } = request.query;
      reply.type('text/html; charset=utf-8');
      return token && !error ? resetPasswordPage({ token }) : resetPasswordPage({ invalid: true });
    });

    page.post(
      PASSWORD_RESET_PAGE,
      { config: { rateLimit }, schema: { hide: true, body: z.object({ token: z.string().min(1).max(512), newPassword: z.string() }) } },
      async (request, reply) => {
        const { token, newPassword } = request.body;
        reply.type('text/html; charset=utf-8');
        if (newPassword.length < 8 || newPassword.length > 128) return reply.code(400).send(resetPasswordPage({ token, error: 'The password must be 8 to 128 characters long.' }));
        try {
          await accounts.api.resetPassword({ body: { token, newPassword } });
        } catch (error) {
          request.log.info({ err: error }, 'password reset refused');
          return reply.code(400).send(resetPasswordPage({ invalid: true }));
        }
        return resetPasswordPage({ done: true });
      },
    );
  });
};
