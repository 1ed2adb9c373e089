import { readerProfileSchema, REQUEST_ID_HEADER } from '@docent/protocol';
import { betterAuth } from 'better-auth';
import { and, eq, like } from 'drizzle-orm';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError } from 'better-auth/api';
import type { Logger } from 'pino';
import type { DocentDb } from '../db/database.js';
import { accounts, sessions, users, verifications } from '../db/schema.js';
import { boundLink } from './browser-binding.js';
import { withConfirmedMarker } from './confirmation-marker.js';
import type { Mailer } from './mailer.js';
import { accountEmails } from './account-emails.js';

export interface AccountSettings {
  secretKey: string;
  /** Where readers reach Docent; email links point here. */
  publicUrl: string;
  /** Sites allowed to send readers back after verification or reset (the embedding sites). */
  trustedOrigins: string[];
  requireEmailVerification: boolean;
  secureCookies: boolean;
}

/** Cookies are `docent.session_token` (`__Secure-docent.session_token` over https in production). */
export const SESSION_COOKIE_PREFIX = 'docent';
/** The session cookie's name, with or without the `__Secure-` prefix production adds. */
export const SESSION_COOKIE_NAME = new RegExp(`^(?:__Secure-)?${SESSION_COOKIE_PREFIX}\\.session_token$`);
export const AUTH_BASE_PATH = '/api/auth';

/**
 * Readers' accounts (email + password, sessions in the database, email verification, password
 * reset), by better-auth on the project's own database through its drizzle adapter. Its tables are
 * created by the project's migrations. Its own rate limiter is off: Docent's (shared through Redis)
 * covers the auth routes.
 */
export function createAccounts(db: DocentDb, settings: AccountSettings, mailer: Mailer, log: Logger) {
  const emails = accountEmails(settings.publicUrl);
  // Sending is not awaited: a slow mail server must not hold a sign-up (nor reveal, by timing,
  // whether an address already has an account). Failures are logged.
  const send = (email: Parameters<Mailer['send']>[0], request: Request | undefined) => {
    const requestLog = log.child({ request_id: request?.headers.get(REQUEST_ID_HEADER) ?? undefined });
    mailer.send(email, requestLog).catch((error: unknown) => requestLog.error({ err: error, subject: email.subject }, 'could not send an email'));
  };
  return betterAuth({
    appName: 'Docent',
    baseURL: settings.publicUrl,
    basePath: AUTH_BASE_PATH,
    secret: settings.secretKey,
    trustedOrigins: [...settings.trustedOrigins, new URL(settings.publicUrl).origin],
    database: drizzleAdapter(db, { provider: 'pg', schema: { user: users, session: sessions, account: accounts, verification: verifications } }),
    telemetry: { enabled: false },
    rateLimit: { enabled: false },
    logger: {
      level: 'warn',
      log: (level, message, ...details) => log[level]({ auth_details: details }, `auth: ${message}`),
    },
    advanced: {
      cookiePrefix: SESSION_COOKIE_PREFIX,
      useSecureCookies: settings.secureCookies,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', secure: settings.secureCookies },
      // The HTTP bridge puts the reader's address (as Fastify resolved it, proxies considered) here.
      ipAddress: { ipAddressHeaders: ['x-docent-client-ip'] },
    },
    user: {
      modelName: 'user',
      additionalFields: { profile: { type: 'json', required: false, input: true } },
    },
    emailAndPassword: {
      enabled: true,
      requireEmailVerification: settings.requireEmailVerification,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      revokeSessionsOnPasswordReset: true,
      // One reset ends them all: an older link, still in an inbox someone else can read, must not
      // change the password again.
      onPasswordReset: async ({ user }) => {
        await db.delete(verifications).where(and(eq(verifications.value, user.id), like(verifications.identifier, 'reset-password:%')));
      },
      sendResetPassword: ({ user, url }, request) => Promise.resolve(send(emails.passwordReset(user.email, url), request)),
      onExistingUserSignUp: ({ user }, request) => Promise.resolve(send(emails.existingAccount(user.email), request)),
    },
    emailVerification: {
      sendOnSignUp: true,
      sendOnSignIn: settings.requireEmailVerification,
      autoSignInAfterVerification: true,
      sendVerificationEmail: ({ user, url }, request) =>
        Promise.resolve(send(emails.verification(user.email, boundLink(withConfirmedMarker(url), settings.secretKey, user.id, request)), request)),
    },
    databaseHooks: {
      user: {
        create: {
          // The questionnaire is optional; what is given must be well-formed.
          before: (user) => {
            const raw = (user as { profile?: unknown }).profile;
            // No questionnaire stays null (read as {}): an existing address's sign-up answers with
            // better-auth's stand-in user, whose profile is null, and the two must not differ.
            if (raw === undefined || raw === null) return Promise.resolve({ data: user });
            const profile = readerProfileSchema.safeParse(raw);
            if (!profile.success) throw new APIError('BAD_REQUEST', { message: `profile: ${profile.error.issues[0]?.message ?? 'is invalid'}`, code: 'INVALID_PROFILE' });
            return Promise.resolve({ data: { ...user, profile: profile.data } });
          },
        },
      },
    },
  });
}

export type Accounts = ReturnType<typeof createAccounts>;
