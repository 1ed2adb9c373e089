import rateLimit from '@fastify/rate-limit';
import { isIPv6 } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import { AppError } from '../errors.js';
import type { ReaderResolver } from './reader.js';
import { memoryWindowCounter, redisWindowCounter, type WindowCounter } from './window-counter.js';

export interface RateLimitSettings {
  /** Shared counters for every instance pointing at the same Redis; unset → per-process memory. */
  redisUrl: string | undefined;
  chatPerMinute: number;
  authPerMinute: number;
  /** Searches cost an embedding each, like questions: a budget of their own, per reader. */
  searchPerMinute: number;
  /** All accounts signed in from one address together, so that more accounts do not buy more questions. */
  chatPerAddressPerMinute: number;
  searchPerAddressPerMinute: number;
}

/** Counts in the rate-limit store; `undefined` while the store is unreachable (the request is let through, and that is counted and logged). */
export interface LimitCounter {
  hit(key: string): Promise<{ count: number; resetInMs: number } | undefined>;
}

const WINDOW_MS = 60_000;

/** Warnings about an unreachable Redis repeat at most this often (it retries every second or two). */
const WARNING_INTERVAL_MS = 30_000;

/**
 * Rate limits, shared across instances through Redis when REDIS_URL is set. If Redis becomes
 * unreachable the limiter fails open — readers keep getting answers — with a warning in the log
 * and `docent_rate_limit_store_errors_total` counting; ioredis reconnects on its own and limiting
 * resumes. Routes opt in with `config: { rateLimit: chatRateLimit(settings) }`. Returns the same
 * store's counter for limits the plugin cannot express (see addressCeiling).
 */
export async function registerRateLimits(app: FastifyInstance, settings: RateLimitSettings, registry: Registry): Promise<LimitCounter> {
  const storeErrors = new Counter({
    name: 'docent_rate_limit_store_errors_total',
    help: 'Errors reaching the shared rate-limit store (Redis); requests are let through meanwhile',
    registers: [registry],
  });
  let redis: Redis | undefined;
  let lastWarning = 0;
  let failing = false;
  const storeUnreachable = (error: unknown) => {
    storeErrors.inc();
    failing = true;
    if (Date.now() - lastWarning < WARNING_INTERVAL_MS) return;
    lastWarning = Date.now();
    app.log.warn({ err: error }, 'rate-limit store (Redis) unreachable: requests are not limited until it is back');
  };
  if (settings.redisUrl) {
    // No offline queue: while Redis is away a limit check fails at once instead of waiting.
    redis = new Redis(settings.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1_000, retryStrategy: (attempt) => Math.min(attempt * 250, 2_000) });
    redis.on('error', storeUnreachable);
    let connected = false;
    redis.on('ready', () => {
      // Until the first connection, limit checks fail open too; operators see when limiting starts.
      if (!connected) app.log.info('rate-limit store (Redis) connected: limits are shared across instances');
      else if (failing) app.log.info('rate-limit store (Redis) reachable again: limits apply');
      connected = true;
      failing = false;
    });
    app.addHook('onClose', async () => {
      redis?.disconnect();
    });
  }
  await app.register(rateLimit, {
    global: false,
    redis,
    skipOnError: true,
    nameSpace: 'docent-rate-limit:',
    errorResponseBuilder: (_request, context) =>
      new AppError('rate_limited', `Too many requests: at most ${context.max} per minute. Please try again in ${Math.max(1, Math.ceil(context.ttl / 1000))} s.`),
  });
  // Keys under the plugin's namespace, so operators find (and tests clear) every counter together.
  const windows: WindowCounter = redis ? redisWindowCounter(redis, 'docent-rate-limit:per-address:', WINDOW_MS) : memoryWindowCounter(WINDOW_MS);
  return {
    async hit(key) {
      try {
        return await windows.hit(key);
      } catch (error) {
        // Fail open, like the plugin's skipOnError, but counted and logged.
        storeUnreachable(error);
        return undefined;
      }
    },
  };
}

/**
 * Questions per minute, per signed-in reader (wherever they ask from), else per address (behind a
 * proxy, the reader's address only when TRUST_PROXY says how many proxies to look through).
 */
export function chatRateLimit(settings: RateLimitSettings, readers: ReaderResolver) {
  return perReaderLimit(settings.chatPerMinute, readers);
}

/** Searches per minute, counted like questions but separately (each route keeps its own count). */
export function searchRateLimit(settings: RateLimitSettings, readers: ReaderResolver) {
  return perReaderLimit(settings.searchPerMinute, readers);
}

function perReaderLimit(max: number, readers: ReaderResolver) {
  return {
    max,
    timeWindow: WINDOW_MS,
    keyGenerator: async (request: FastifyRequest): Promise<string> => {
      // A stale session is refused by the route itself; here it counts against its address.
      const reader = await readers.signedIn(request).catch(() => undefined);
      return reader !== undefined && reader !== 'expired' ? `user:${reader.id}` : `ip:${addressKey(request.ip)}`;
    },
  };
}

/** Questions per minute from one address by all signed-in readers together (see addressCeiling). */
export function chatAddressCeiling(settings: RateLimitSettings, readers: ReaderResolver, counter: LimitCounter): AddressCeiling {
  return addressCeiling('chat', settings.chatPerAddressPerMinute, readers, counter);
}

/** Searches per minute from one address by all signed-in readers together. */
export function searchAddressCeiling(settings: RateLimitSettings, readers: ReaderResolver, counter: LimitCounter): AddressCeiling {
  return addressCeiling('search', settings.searchPerAddressPerMinute, readers, counter);
}

export type AddressCeiling = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * Signed-in readers are limited per account wherever they are; without a ceiling, each extra
 * account would add a whole allowance from one address. Routes run this as a `preValidation` hook:
 * after the account's own limit (an `onRequest` hook), so requests that limit refused do not use up
 * the address's allowance, and before validation, so a malformed request counts as it does there.
 * Anonymous readers are skipped: the route's own limit already counts them per address. Not with
 * @fastify/rate-limit's `app.rateLimit()`: a second limit of the plugin on a route switches off the
 * route's own (it runs one limit per request).
 */
function addressCeiling(route: string, max: number, readers: ReaderResolver, counter: LimitCounter): AddressCeiling {
  return async (request, reply) => {
    const reader = await readers.signedIn(request).catch(() => undefined);
    if (reader === undefined || reader === 'expired') return;
    const window = await counter.hit(`${route}:${addressKey(request.ip)}`);
    if (window === undefined || window.count <= max) return;
    const seconds = Math.max(1, Math.ceil(window.resetInMs / 1000));
    reply.header('retry-after', String(seconds));
    throw new AppError('rate_limited', `Too many requests from your address: at most ${max} per minute for all accounts together. Please try again in ${seconds} s.`);
  };
}

/** Sign-in, sign-up and reset attempts per minute, per address. */
export function authRateLimit(settings: RateLimitSettings) {
  return { max: settings.authPerMinute, timeWindow: WINDOW_MS, keyGenerator: (request: FastifyRequest) => `auth:${addressKey(request.ip)}` };
}

/**
 * One bucket per reader's address, however it is spelled: an IPv4 address as itself (also when it
 * arrives IPv4-mapped, `::ffff:192.0.2.1`), an IPv6 address by its /64 network, since one
 * subscriber usually holds a whole /64 and could otherwise take a fresh bucket for every address.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::') ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}
