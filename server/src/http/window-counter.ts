import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';

/** Counts hits per key in fixed windows: the count so far in the current window, and when it ends. */
export interface WindowCounter {
  hit(key: string): Promise<{ count: number; resetInMs: number }>;
}

/**
 * INCR and, for a window's first hit, PEXPIRE, in one script so a crash between the two cannot
 * leave a counter without expiry (which would refuse its key for good). A key found without
 * expiry is given one. Works on every Redis version (PEXPIRE … NX needs Redis 7).
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}`;

const hitReplySchema = z.tuple([z.number().int(), z.number().int()]);

/** Shared by every instance using the same Redis. Fails (rejects) at once while Redis is unreachable. */
export function redisWindowCounter(redis: Redis, keyPrefix: string, windowMs: number): WindowCounter {
  return {
    async hit(key) {
      const [count, ttl] = hitReplySchema.parse(await redis.eval(HIT_SCRIPT, 1, `${keyPrefix}${key}`, String(windowMs)));
      return { count, resetInMs: ttl > 0 ? ttl : windowMs };
    },
  };
}

/** Keys one process remembers at once; beyond it the least recently hit are forgotten (memory stays bounded). */
const MEMORY_COUNTER_KEYS = 50_000;

/** Per process, for a single instance without REDIS_URL. */
export function memoryWindowCounter(windowMs: number, now: () => number = Date.now): WindowCounter {
  const windows = new LRUCache<string, { count: number; endsAt: number }>({ max: MEMORY_COUNTER_KEYS });
  return {
    async hit(key) {
      const at = now();
      let window = windows.get(key);
      if (window === undefined || window.endsAt <= at) {
        window = { count: 0, endsAt: at + windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      return { count: window.count, resetInMs: window.endsAt - at };
    },
  };
}
