import { ERROR_CATALOGUE, type ErrorCode, type ErrorResponse, type FieldError } from '@docent/protocol';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnreachable } from '../db/prepare.js';
import { AppError } from '../errors.js';

/** Fastify's own error codes for malformed requests, mapped to the catalogue. */
const FASTIFY_ERROR_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_failed',
};

export function errorBody(code: ErrorCode, message: string, requestId: string, fields?: FieldError[]): ErrorResponse {
  return { error: { code, message, request_id: requestId, ...(fields ? { fields } : {}) } };
}

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  return reply.code(error.status).send(errorBody(error.code, error.message, reply.request.id, error.fields));
}

/**
 * Every failure leaves the server as `{"error":{"code","message","request_id"}}`. Known errors keep
 * their message; anything unexpected is logged in full and answered with a generic message, so no
 * stack trace, SQL or secret ever reaches a client.
 */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(reply, toAppError(error, request)));

  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new AppError('not_found', `Nothing was found at ${request.method} ${request.url.split('?')[0] ?? ''}.`)),
  );
}

function toAppError(error: FastifyError, request: FastifyRequest): AppError {
  if (error instanceof AppError) {
    if (error.status >= 500) request.log.error({ err: error.cause ?? error }, error.message);
    return error;
  }
  if (error.validation) {
    const fields = error.validation.map((issue) => ({
      field: fieldPath(error.validationContext, issue.instancePath),
      message: issue.message ?? 'is invalid',
    }));
    return new AppError('validation_failed', describeFields(fields), fields);
  }
  const mapped = error.code === undefined ? undefined : FASTIFY_ERROR_CODES[error.code];
  if (mapped) return new AppError(mapped, ERROR_CATALOGUE[mapped].message);
  if (error.statusCode === 405) return new AppError('method_not_allowed');
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    request.log.info({ err: error }, 'request rejected');
    return new AppError('validation_failed');
  }
  if (isDatabaseUnreachable(error)) {
    request.log.error({ err: error }, 'the database is unreachable');
    return new AppError('database_unavailable');
  }
  request.log.error({ err: error }, 'unexpected error while handling the request');
  return new AppError('internal_error');
}

function fieldPath(context: string | undefined, instancePath: string): string {
  const location = context === 'querystring' ? 'query' : (context ?? 'body');
  const path = instancePath.replace(/^\//, '').replaceAll('/', '.');
  return path === '' ? location : `${location}.${path}`;
}

function describeFields(fields: FieldError[]): string {
  const names = [...new Set(fields.map((field) => field.field))];
  return `The request is not valid: check ${names.join(', ')}.`;
}
