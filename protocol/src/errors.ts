import { z } from 'zod';

/**
 * The catalogue of error codes Docent's API can return. Every error response carries exactly one
 * of these codes, so clients (the widget, scripts) can branch on the code and show the message.
 * `status` is the HTTP status the server answers with; `message` is the default user-safe text.
 */
export const ERROR_CATALOGUE = {
  validation_failed: { status: 400, message: 'The request is not valid.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  unauthorized: { status: 401, message: 'Sign in or provide a valid API token.' },
  invalid_credentials: { status: 401, message: 'The email or password is not right.' },
  forbidden: { status: 403, message: 'You are not allowed to do this.' },
  email_not_verified: { status: 403, message: 'Please confirm your email address first: we sent you a link.' },
  not_found: { status: 404, message: 'Nothing was found at this address.' },
  method_not_allowed: { status: 405, message: 'This method is not allowed here.' },
  ingest_in_progress: { status: 409, message: 'An ingest is already running. Wait for it to finish.' },
  account_exists: { status: 409, message: 'An account with this email already exists. Sign in instead.' },
  invalid_token: { status: 400, message: 'This link is invalid or has expired. Please ask for a new one.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: { status: 415, message: 'This content type is not supported.' },
  rate_limited: { status: 429, message: 'Too many requests. Please wait a moment and try again.' },
  token_budget_exhausted: { status: 429, message: 'The daily answer budget is used up. Please try again tomorrow.' },
  internal_error: { status: 500, message: 'Something went wrong on our side. Please try again.' },
  answer_failed: { status: 502, message: 'The answer could not be completed. Please try again.' },
  answer_service_busy: { status: 503, message: 'The answer service is busy right now. Please try again in a moment.' },
  answer_timeout: { status: 504, message: 'The answer took too long. Please try again.' },
  database_unavailable: { status: 503, message: 'The service is temporarily unavailable. Please try again shortly.' },
  vector_store_unavailable: { status: 503, message: 'Course search is temporarily unavailable. Please try again shortly.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const errorCodeSchema = z.enum(Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]]);

/** One offending input field of a `validation_failed` error. */
export const fieldErrorSchema = z.object({
  /** Where the field is: `body.message`, `query.limit`, `headers.x-request-id`... */
  field: z.string(),
  message: z.string(),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

/** The body of every error response: `{"error":{"code","message","request_id"}}`. */
export const errorResponseSchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    request_id: z.string(),
    fields: z.array(fieldErrorSchema).optional(),
  }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
