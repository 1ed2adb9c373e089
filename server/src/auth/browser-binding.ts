import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Binds an email confirmation link to the browser that asked for it. The bridge to better-auth
 * tells it which visitor made the request (this header, set by Docent only); the link gets a
 * keyed hash of the account and that visitor; following the link signs in (and brings the
 * visitor's conversations along) only in that browser. Anywhere else the link only confirms the
 * address: an attacker's own link, opened by someone else, no longer signs them into the
 * attacker's account nor hands over their anonymous history (login CSRF).
 */
export const VISITOR_HEADER = 'x-docent-visitor';
export const BINDING_PARAMETER = 'docent_browser';

export function browserBinding(secretKey: string, userId: string, visitorId: string | undefined): string {
  return createHmac('sha256', secretKey).update(`email-link:${userId}:${visitorId ?? ''}`).digest('base64url');
}

export function isSameBrowser(secretKey: string, userId: string, visitorId: string | undefined, binding: string | undefined): boolean {
  if (binding === undefined) return false;
  const expected = Buffer.from(browserBinding(secretKey, userId, visitorId));
  const given = Buffer.from(binding);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The confirmation link with the binding of the browser that asked for it. */
export function boundLink(url: string, secretKey: string, userId: string, request: Request | undefined): string {
  const link = new URL(url);
  link.searchParams.set(BINDING_PARAMETER, browserBinding(secretKey, userId, request?.headers.get(VISITOR_HEADER) ?? undefined));
  return link.href;
}
