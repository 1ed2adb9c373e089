import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AddressCeiling } from '../http/rate-limits.js';
import { streamAnswer, streamUnsupported, unsupportedError, type AnsweringRequest, type ChatKitDependencies } from './conversation.js';
import { chatKitRequestSchema, UNSUPPORTED_JSON_TYPES, UNSUPPORTED_STREAMING_TYPES, type ChatKitRequest, type UnsupportedRequest } from './requests.js';
import { answerThreadRequest } from './thread-operations.js';

export interface ChatKitRouteOptions extends ChatKitDependencies {
  /** Where ChatKit's `api.url` points (CHATKIT_PATH). */
  path: string;
  /** `/api/v1/chat`'s limit, for the operations that produce an answer. */
  rateLimit: { max: number; timeWindow: number; keyGenerator: (request: FastifyRequest) => Promise<string> };
  addressCeiling: AddressCeiling;
}

/** The operations that cost an answer, and so count against the chat rate limits. */
const ANSWERING_TYPES: readonly string[] = ['threads.create', 'threads.add_user_message', 'threads.retry_after_item'] satisfies AnsweringRequest['type'][];

/**
 * Docent as a ChatKit server: the one endpoint ChatKit's front end (`<openai-chatkit>` with
 * `api.url`) talks to. Streaming operations answer as Server-Sent Events of bare `data:` lines,
 * the others as JSON; malformed requests, unknown threads and spent limits are refused with
 * Docent's usual error responses before any stream starts.
 */
export const chatKitRoutes: FastifyPluginAsyncZod<ChatKitRouteOptions> = async (app, options) => {
  const { path, rateLimit, addressCeiling, ...deps } = options;
  app.post(
    path,
    {
      config: {
        rateLimit: {
          ...rateLimit,
          // The operation is in the body, so the limit runs once it is parsed; reading threads is not limited, as on /api/v1/threads.
          hook: 'preValidation',
          allowList: (request: FastifyRequest) => !costsAnAnswer(request.body),
        },
      },
      // All signed-in readers at one address together: here, after the reader's own limit (which runs at preValidation).
      preHandler: async (request, reply) => {
        if (costsAnAnswer(request.body)) await addressCeiling(request, reply);
      },
      schema: {
        tags: ['chatkit'],
        summary: 'ChatKit server protocol: {type, params} — streaming operations answer as Server-Sent Events, the others as JSON (docs/CHATKIT.md)',
        body: chatKitRequestSchema,
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (isAnswering(body)) return streamAnswer(deps, request, reply, body);
      if (isUnsupported(body)) {
        // Streaming operations answer inside the stream the client expects; the others with a 400.
        if (isOneOf(body.type, UNSUPPORTED_STREAMING_TYPES)) return streamUnsupported(deps, request, reply, body.type);
        return reply.code(400).send(unsupportedError(body.type, request.id));
      }
      return answerThreadRequest(deps, request, reply, body);
    },
  );
};

function costsAnAnswer(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'type' in body && ANSWERING_TYPES.includes(String(body.type));
}

function isAnswering(body: ChatKitRequest): body is AnsweringRequest {
  return ANSWERING_TYPES.includes(body.type);
}

function isUnsupported(body: ChatKitRequest): body is UnsupportedRequest {
  return isOneOf(body.type, [...UNSUPPORTED_STREAMING_TYPES, ...UNSUPPORTED_JSON_TYPES]);
}

function isOneOf<Value extends string>(value: string, values: readonly Value[]): value is Value {
  return (values as readonly string[]).includes(value);
}
