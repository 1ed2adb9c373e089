import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Owner } from '../chat/history-store.js';

export const VISITOR_COOKIE = 'docent_visitor';
/**
 * In production (Secure cookies) the name carries the `__Host-` prefix: browsers then accept it
 * only from Docent's own host, Secure, for path `/`, so a sibling subdomain cannot plant its own
 * visitor identity in a reader's browser and read what they ask.
 */
export function visitorCookieName(secure: boolean): string {
  return secure ? `__Host-${VISITOR_COOKIE}` : VISITOR_COOKIE;
}
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;
const VISITOR_ID = /^[0-9a-f-]{36}$/;

/**
 * The anonymous reader behind a request, identified by an HttpOnly cookie signed with SECRET_KEY
 * (so an id cannot be forged or guessed into someone else's history). `create` issues a new
 * identity when there is none; reads without one simply have no history.
 */
export function visitorOf(request: FastifyRequest, reply: FastifyReply, options: { create: true; secure: boolean }): Owner;
export function visitorOf(request: FastifyRequest, reply: FastifyReply, options: { create: boolean; secure: boolean }): Owner | undefined;
export function visitorOf(request: FastifyRequest, reply: FastifyReply, options: { create: boolean; secure: boolean }): Owner | undefined {
  const name = visitorCookieName(options.secure);
  const raw = request.cookies[name];
  if (raw !== undefined) {
    const unsigned = request.unsignCookie(raw);
    if (unsigned.valid && unsigned.value !== null && VISITOR_ID.test(unsigned.value)) return { kind: 'visitor', id: unsigned.value };
  }
  if (!options.create) return undefined;
  const id = randomUUID();
  reply.setCookie(name, id, { signed: true, httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/', maxAge: ONE_YEAR_SECONDS });
  return { kind: 'visitor', id };
}
