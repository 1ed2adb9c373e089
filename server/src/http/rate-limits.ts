import rateLimit from '@fastify/rate-limit';
import { isIPv6 } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import { AppError } from '../errors.js';
import type { ReaderResolver } from './reader.js';

export interface RateLimitSettings {
  /** Shared counters for every instance pointing at the same Redis; unset → per-process memory. */
  redisUrl: string | undefined;
  chatPerMinute: number;
  authPerMinute: number;
  /** Searches cost an embedding each, like questions: a budget of their own, per reader. */
  searchPerMinute: number;
}

/** Warnings about an unreachable Redis repeat at most this often (it retries every second or two). */
const WARNING_INTERVAL_MS = 30_000;

/**
 * Rate limits, shared across instances through Redis when REDIS_URL is set. If Redis becomes
 * unreachable the limiter fails open — readers keep getting answers — with a warning in the log
 * and `docent_rate_limit_store_errors_total` counting; ioredis reconnects on its own and limiting
 * resumes. Routes opt in with `config: { rateLimit: chatRateLimit(settings) }`.
 */
export async function registerRateLimits(app: FastifyInstance, settings: RateLimitSettings, registry: Registry): Promise<void> {
  const storeErrors = new Counter({
    name: 'docent_rate_limit_store_errors_total',
    help: 'Errors reaching the shared rate-limit store (Redis); requests are let through meanwhile',
    registers: [registry],
  });
  let redis: Redis | undefined;
  if (settings.redisUrl) {
    // No offline queue: while Redis is away a limit check fails at once instead of waiting.
    redis = new Redis(settings.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1_000, retryStrategy: (attempt) => Math.min(attempt * 250, 2_000) });
    let lastWarning = 0;
    let failing = false;
    redis.on('error', (error: Error) => {
      storeErrors.inc();
      failing = true;
      if (Date.now() - lastWarning < WARNING_INTERVAL_MS) return;
      lastWarning = Date.now();
      app.log.warn({ err: error }, 'rate-limit store (Redis) unreachable: requests are not limited until it is back');
    });
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
    timeWindow: 60_000,
    keyGenerator: async (request: FastifyRequest): Promise<string> => {
      // A stale session is refused by the route itself; here it counts against its address.
      const reader = await readers.signedIn(request).catch(() => undefined);
      return reader !== undefined && reader !== 'expired' ? `user:${reader.id}` : `ip:${addressKey(request.ip)}`;
    },
  };
}

/** Sign-in, sign-up and reset attempts per minute, per address. */
export function authRateLimit(settings: RateLimitSettings) {
  return { max: settings.authPerMinute, timeWindow: 60_000, keyGenerator: (request: FastifyRequest) => `auth:${addressKey(request.ip)}` };
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
