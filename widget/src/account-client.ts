import type { Account, ReaderProfile } from '@docent/protocol';
import { newRequestId, sendRequest } from './chat-client.js';

/** What the reader types to create an account; the profile questionnaire is optional. */
export interface SignUpDetails {
  name: string;
  email: string;
  password: string;
  profile?: ReaderProfile;
}

/**
 * The widget's side of Docent's accounts: who is signed in (`/api/v1/me`) and better-auth's email
 * and password endpoints (`/api/auth/*`). Failures throw ChatFailure with the server's user-safe
 * message and request ID. Types only from `@docent/protocol`: no zod in the widget's bundle.
 *
 * `returnUrl` is the page the reader is on: links in the emails Docent sends bring them back there.
 */
export class AccountClient {
  constructor(
    private readonly serverUrl: string,
    private readonly offlineMessage: () => string,
  ) {}

  /** The signed-in reader, or null for an anonymous visitor. */
  async me(): Promise<Account | null> {
    const response = await this.send('/api/v1/me');
    const { account } = (await response.json()) as { account?: Account | null };
    return account && typeof account.name === 'string' && typeof account.email === 'string' ? account : null;
  }

  /** Creates the account; no session yet: the reader confirms their email first. */
  async signUp(details: SignUpDetails, returnUrl: string): Promise<void> {
    await this.send('/api/auth/sign-up/email', { ...details, callbackURL: returnUrl });
  }

  /** Signs in (the server sets the session cookie and moves the visitor's conversations over). */
  async signIn(email: string, password: string, returnUrl: string): Promise<void> {
    await this.send('/api/auth/sign-in/email', { email, password, callbackURL: returnUrl });
  }

  async signOut(): Promise<void> {
    await this.send('/api/auth/sign-out', {});
  }

  /** Emails a reset link if the account exists; the answer is the same either way. */
  async requestPasswordReset(email: string, returnUrl: string): Promise<void> {
    await this.send('/api/auth/request-password-reset', { email, redirectTo: returnUrl });
  }

  private send(path: string, body?: object): Promise<Response> {
    const init: RequestInit = body ? { method: 'POST', body: JSON.stringify(body) } : {};
    return sendRequest(`${this.serverUrl}${path}`, init, newRequestId(), this.offlineMessage());
  }
}
