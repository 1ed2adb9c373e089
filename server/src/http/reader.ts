import type { ReaderProfile } from '@docent/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fromNodeHeaders } from 'better-auth/node';
import { SESSION_COOKIE_NAME, type Accounts } from '../auth/accounts.js';
import type { Owner } from '../chat/history-store.js';
import { AppError } from '../errors.js';
import { visitorOf } from './visitor.js';

export interface SignedInReader {
  id: string;
  name: string;
  email: string;
  emailVerified: boolean;
  profile: ReaderProfile;
}

/**
 * Who is asking: a signed-in reader (better-auth session cookie) or an anonymous visitor (signed
 * visitor cookie). A session cookie that no longer matches a session (expired, signed out
 * elsewhere, password reset) is an error, not a silent fall-back to anonymous: the reader would
 * otherwise ask into an empty history and think their conversations were lost.
 */
export class ReaderResolver {
  private readonly sessions = new WeakMap<FastifyRequest, Promise<SignedInReader | 'expired' | undefined>>();
  /** Cookies better-auth set while looking a session up (a session in use is extended). */
  private readonly refreshedCookies = new WeakMap<FastifyRequest, string[]>();

  constructor(
    private readonly accounts: Accounts,
    private readonly secureCookies: boolean,
  ) {}

  /** Sends the cookies of sessions extended during a request (sessions slide while readers use them). */
  register(app: FastifyInstance): void {
    // Callback style: it runs on every response, and most have no cookie to add.
    app.addHook('onSend', (request, reply, payload, done) => {
      const cookies = this.refreshedCookies.get(request);
      if (cookies && cookies.length > 0) {
        // Also the deletion of a stale session's cookies: the reader is told once, then is a visitor.
        const existing = reply.getHeader('set-cookie');
        reply.header('set-cookie', [...(existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)]), ...cookies]);
      }
      done(null, payload);
    });
  }

  /** The signed-in reader; `undefined` without a session cookie; `'expired'` for a stale one. Looked up once per request. */
  signedIn(request: FastifyRequest): Promise<SignedInReader | 'expired' | undefined> {
    let lookup = this.sessions.get(request);
    if (!lookup) {
      lookup = this.lookUp(request);
      this.sessions.set(request, lookup);
    }
    return lookup;
  }

  /** The owner of the request's history; `create` issues a visitor identity to a newcomer. */
  async owner(request: FastifyRequest, reply: FastifyReply, options: { create: true }): Promise<Owner>;
  async owner(request: FastifyRequest, reply: FastifyReply, options: { create: false }): Promise<Owner | undefined>;
  async owner(request: FastifyRequest, reply: FastifyReply, options: { create: boolean }): Promise<Owner | undefined> {
    const reader = await this.signedIn(request);
    if (reader === 'expired') throw sessionExpired();
    if (reader) return { kind: 'user', id: reader.id };
    return visitorOf(request, reply, { create: options.create, secure: this.secureCookies });
  }

  /** For routes only an account can use. */
  async requireSignedIn(request: FastifyRequest): Promise<SignedInReader> {
    const reader = await this.signedIn(request);
    if (reader === 'expired') throw sessionExpired();
    if (!reader) throw new AppError('unauthorized', 'Sign in to use this.');
    return reader;
  }

  private async lookUp(request: FastifyRequest): Promise<SignedInReader | 'expired' | undefined> {
    // An emptied cookie (some clients keep `name=` after a sign-out) is no session at all.
    if (!Object.entries(request.cookies).some(([name, value]) => SESSION_COOKIE_NAME.test(name) && value)) return undefined;
    const { headers, response: found } = await this.accounts.api.getSession({ headers: fromNodeHeaders(request.headers), query: { disableCookieCache: true }, returnHeaders: true });
    this.refreshedCookies.set(request, headers.getSetCookie());
    if (!found) return 'expired';
    const { user } = found;
    return { id: user.id, name: user.name, email: user.email, emailVerified: user.emailVerified, profile: (user.profile ?? {}) as ReaderProfile };
  }
}

function sessionExpired(): AppError {
  return new AppError('unauthorized', 'Your session has ended (it expired, or you signed out elsewhere). Please sign in again.');
}
