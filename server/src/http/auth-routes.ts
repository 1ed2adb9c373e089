import { ERROR_CATALOGUE, readerProfileSchema, REQUEST_ID_HEADER, type ErrorCode } from '@docent/protocol';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_BASE_PATH, SESSION_COOKIE_NAME, type Accounts } from '../auth/accounts.js';
import type { HistoryStore } from '../chat/history-store.js';
import { AppError } from '../errors.js';
import { errorBody } from './error-handler.js';
import type { ReaderResolver } from './reader.js';
import { BINDING_PARAMETER, isSameBrowser, VISITOR_HEADER } from '../auth/browser-binding.js';
import { visitorCookieName, visitorOf } from './visitor.js';

export interface AuthRouteOptions {
  accounts: Accounts;
  readers: ReaderResolver;
  history: HistoryStore;
  publicUrl: string;
  /** Production: cookies are Secure, and the visitor cookie's name has the `__Host-` prefix. */
  secureCookies: boolean;
  /** Keys the binding of confirmation links to the browser that asked for them. */
  secretKey: string;
  /** Per address: guessing passwords or flooding inboxes should be slow. */
  rateLimit: { max: number; timeWindow: number };
}

/** Where password-reset links land: Docent's own page with the new-password form. */
export const PASSWORD_RESET_PAGE = '/account/reset-password';

/** Endpoints whose body may carry the reader's questionnaire (`profile`), checked before better-auth sees it. */
const PROFILE_ENDPOINTS = [`${AUTH_BASE_PATH}/sign-up/email`, `${AUTH_BASE_PATH}/update-user`];

/** Requests that can send a confirmation link: the link is bound to the browser that made them. */
const LINK_REQUESTS = ['/sign-up/email', '/sign-in/email', '/send-verification-email'].map((endpoint) => `${AUTH_BASE_PATH}${endpoint}`);

/** Endpoints that check a password or send an email get the strict limit. */
const GUARDED_ENDPOINTS = ['/sign-in/email', '/sign-up/email', '/request-password-reset', '/reset-password', '/send-verification-email', '/change-password'];

/** better-auth's codes, as Docent's error catalogue says them; anything else goes by HTTP status. */
const AUTH_ERROR_CODES: Record<string, ErrorCode> = {
  INVALID_EMAIL_OR_PASSWORD: 'invalid_credentials',
  INVALID_PASSWORD: 'invalid_credentials',
  EMAIL_NOT_VERIFIED: 'email_not_verified',
  USER_ALREADY_EXISTS: 'account_exists',
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: 'account_exists',
  INVALID_TOKEN: 'invalid_token',
  TOKEN_EXPIRED: 'invalid_token',
};
const ERROR_CODES_BY_STATUS: Record<number, ErrorCode> = { 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 429: 'rate_limited' };

/** Request headers that describe the original body, which is re-serialised for better-auth. */
const BODY_FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/**
 * better-auth's endpoints (`/api/auth/sign-up/email`, `/sign-in/email`, `/sign-out`,
 * `/verify-email`, `/request-password-reset`, `/reset-password`, `/get-session`...) served through
 * Fastify, so request IDs, logging, CORS, the origin check and rate limits apply to them as to
 * every route. On the way back: errors take Docent's shape, session tokens are taken out of JSON
 * bodies (the HttpOnly cookie is the only place a session lives), and a visitor's conversations
 * move into the account that just signed in.
 */
export const authRoutes: FastifyPluginAsync<AuthRouteOptions> = async (app, options) => {
  const handle = (request: FastifyRequest, reply: FastifyReply) => forwardToAccounts(request, reply, options);
  for (const endpoint of GUARDED_ENDPOINTS) {
    app.post(`${AUTH_BASE_PATH}${endpoint}`, { config: { rateLimit: options.rateLimit }, schema: { hide: true } }, handle);
  }
  app.route({
    method: ['GET', 'POST'],
    url: `${AUTH_BASE_PATH}/*`,
    schema: { hide: true },
    handler: (request, reply) => {
      // better-auth resolves "/./", "/x/../" and "%2e" itself, so another spelling of a limited
      // endpoint would land here, past its rate limit: only canonical paths are served.
      if (!isCanonicalPath(request.url)) throw new AppError('not_found', `Route ${request.method}:${request.url.split('?')[0] ?? ''} not found`);
      return handle(request, reply);
    },
  });
};

/** A path with no dot segments (plain or percent-encoded) and no empty segments. */
function isCanonicalPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return !path.includes('//') && URL.canParse(path, 'http://docent.invalid') && new URL(path, 'http://docent.invalid').pathname === path;
}

async function forwardToAccounts(request: FastifyRequest, reply: FastifyReply, options: AuthRouteOptions): Promise<FastifyReply> {
  checkProfile(request);
  const path = authPath(request.url);
  // A browser that may be sent a confirmation link gets a visitor identity now, to bind the link to.
  const visitor = visitorOf(request, reply, { create: request.method === 'POST' && LINK_REQUESTS.includes(path), secure: options.secureCookies });
  const response = await options.accounts.handler(toWebRequest(request, options.publicUrl, visitor?.id));
  reply.code(response.status);
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie' && name !== 'content-length') reply.header(name, value);
  }
  let cookies = response.headers.getSetCookie();
  const confirming = path === `${AUTH_BASE_PATH}/verify-email`;
  // Looked up once, and only where it matters: a visitor to move, or a confirmation link to check.
  let accountId = response.status < 400 && (visitor !== undefined || confirming) ? await accountSignedInBy(cookies, options) : undefined;
  if (confirming && accountId !== undefined && !isSameBrowser(options.secretKey, accountId, visitor?.id, bindingOf(request))) {
    // The address is confirmed, but this browser did not ask for the link: it is not signed in.
    cookies = cookies.filter((cookie) => !SESSION_COOKIE_NAME.test(cookie.split('=')[0] ?? ''));
    accountId = undefined;
    request.log.info('email address confirmed from another browser than the one that asked: not signed in there');
  }
  if (cookies.length > 0) reply.header('set-cookie', cookies);

  const text = await response.text();
  if (response.status >= 400) {
    const failure = translateError(text, response.status, request.id);
    return reply.code(ERROR_CATALOGUE[failure.error.code].status).send(failure);
  }
  if (visitor !== undefined && accountId !== undefined) await adoptVisitorHistory(request, reply, visitor.id, accountId, options);
  return reply.send(isJson(response) ? withoutSessionTokens(text) : text);
}

/**
 * The questionnaire is checked here, the same way for every address: otherwise a sign-up with an
 * address that has an account (answered by better-auth's stand-in, which checks nothing) would say
 * 200 where a new address says 400, and update-user would store any JSON, which later broke /me.
 */
function checkProfile(request: FastifyRequest): void {
  const path = authPath(request.url);
  if (!PROFILE_ENDPOINTS.includes(path) || typeof request.body !== 'object' || request.body === null) return;
  const profile = (request.body as { profile?: unknown }).profile;
  if (profile === undefined || profile === null) return;
  const parsed = readerProfileSchema.safeParse(profile);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  const field = ['body', 'profile', ...(issue?.path ?? []).map(String)].join('.');
  throw new AppError('validation_failed', `${field} ${issue?.message ?? 'is invalid'}`, [{ field, message: issue?.message ?? 'is invalid' }]);
}

/** The account whose session cookie better-auth just set (`name=value; …`; an emptied cookie, as at sign-out, is none). */
async function accountSignedInBy(cookies: readonly string[], options: AuthRouteOptions): Promise<string | undefined> {
  const session = cookies.map((cookie) => /^([^=;]+)=([^;]+)/.exec(cookie)).find((match) => match !== null && SESSION_COOKIE_NAME.test(match[1] ?? ''));
  if (!session) return undefined;
  const signedIn = await options.accounts.api.getSession({ headers: new Headers({ cookie: `${session[1]}=${session[2]}` }), query: { disableCookieCache: true } });
  return signedIn?.user.id;
}

/** The binding a confirmation link carries to the browser that asked for it. */
function bindingOf(request: FastifyRequest): string | undefined {
  return new URL(request.url, 'http://docent.invalid').searchParams.get(BINDING_PARAMETER) ?? undefined;
}

function authPath(url: string): string {
  return (url.split('?')[0] ?? '').replace(/^.*?(?=\/api\/auth)/, '');
}

function toWebRequest(request: FastifyRequest, publicUrl: string, visitorId: string | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    // Only Docent says which visitor is asking.
    if (value === undefined || BODY_FRAMING_HEADERS.has(name) || name === VISITOR_HEADER) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  if (visitorId !== undefined) headers.set(VISITOR_HEADER, visitorId);
  // Fastify has already worked out the reader's address (trusting only the configured proxies).
  headers.set('x-docent-client-ip', request.ip);
  // So that what better-auth does for this request (emails sent, failures) logs with its ID.
  headers.set(REQUEST_ID_HEADER, request.id);
  const path = request.url.replace(/^.*?(?=\/api\/auth)/, '');
  let body: string | undefined;
  if (request.method !== 'GET' && request.method !== 'HEAD' && request.body !== undefined) {
    const parsed = request.body as Record<string, unknown>;
    // Reset links always lead to Docent's own reset page, whatever page the reader asked from.
    if (path.startsWith(`${AUTH_BASE_PATH}/request-password-reset`) && typeof parsed === 'object' && parsed !== null) {
      body = JSON.stringify({ ...parsed, redirectTo: `${publicUrl}${PASSWORD_RESET_PAGE}` });
    } else {
      body = JSON.stringify(parsed);
    }
  }
  return new Request(new URL(path, publicUrl), { method: request.method, headers, body });
}

function translateError(text: string, status: number, requestId: string) {
  let code: string | undefined;
  let message: string | undefined;
  try {
    ({ code, message } = JSON.parse(text) as { code?: string; message?: string });
  } catch {
    // Not JSON: the status alone says what happened.
  }
  const mapped = (code === undefined ? undefined : AUTH_ERROR_CODES[code]) ?? ERROR_CODES_BY_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'validation_failed');
  const ownWording = mapped === 'invalid_credentials' || mapped === 'email_not_verified' || mapped === 'account_exists' || mapped === 'internal_error';
  return errorBody(mapped, ownWording || !message ? ERROR_CATALOGUE[mapped].message : sentence(message), requestId);
}

function sentence(message: string): string {
  const trimmed = message.trim();
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}${/[.!?]$/.test(trimmed) ? '' : '.'}`;
}

/** A session cookie was just set: the visitor behind this browser now has an account. */
async function adoptVisitorHistory(request: FastifyRequest, reply: FastifyReply, visitorId: string, accountId: string, options: AuthRouteOptions): Promise<void> {
  const moved = await options.history.adoptVisitorThreads(visitorId, accountId);
  if (moved > 0) request.log.info({ threads_moved: moved }, "a visitor's conversations moved into their account");
  // From now on the browser is the account's; a later sign-out starts a fresh anonymous visitor.
  reply.clearCookie(visitorCookieName(options.secureCookies), { path: '/', secure: options.secureCookies });
}

function isJson(response: Response): boolean {
  return (response.headers.get('content-type') ?? '').includes('application/json');
}

/** Session tokens stay in HttpOnly cookies: page scripts (and the sites that embed Docent) never see them. */
function withoutSessionTokens(text: string): string {
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body !== 'object' || body === null) return text;
    const { token: _token, session, ...rest } = body as { token?: unknown; session?: Record<string, unknown> };
    if (session && typeof session === 'object') {
      const { token: _sessionToken, ...safeSession } = session;
      return JSON.stringify({ ...rest, session: safeSession });
    }
    return JSON.stringify(rest);
  } catch {
    return text;
  }
}
