import type { FastifyReply, FastifyRequest } from 'fastify';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { LogLevel } from '../config.js';
import { redactDeep, redactString } from './redact.js';

/** The log field that carries the request ID on every line logged during a request. */
export const REQUEST_ID_LOG_FIELD = 'request_id';

/**
 * pino options shared by the server's own logger and Fastify's request loggers. Redaction is
 * configured here and nowhere else: every object is walked by `formatters.log`, every message
 * string by `hooks.logMethod`, and each serializer redacts what it emits.
 */
export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    base: { service: 'docent' },
    timestamp: isoTimeField,
    messageKey: 'msg',
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redactDeep(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        for (let index = 0; index < args.length; index += 1) {
          const arg: unknown = args[index];
          if (typeof arg === 'string') args[index] = redactString(arg);
        }
        method.apply(this, args);
      },
    },
    serializers: {
      req: (request: FastifyRequest) =>
        redactDeep({
          method: request.method,
          url: request.url,
          remote_address: request.ip,
          headers: request.headers,
        }),
      res: (reply: FastifyReply) => ({ status_code: reply.statusCode }),
      // Spread: pino's serialized error has its own prototype, which redactDeep would not walk.
      err: (error: Error) => redactDeep({ ...pino.stdSerializers.err(error) }),
    },
  };
}

let lastMillisecond = -1;
let lastTimeField = '';

/**
 * pino's isoTime, formatted once per millisecond: a busy server writes several lines in the same
 * millisecond, and formatting the date was about 3% of a `/health` probe's time (issue 19).
 */
function isoTimeField(): string {
  const now = Date.now();
  if (now !== lastMillisecond) {
    lastMillisecond = now;
    lastTimeField = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTimeField;
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
