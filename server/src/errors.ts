import { ERROR_CATALOGUE, type ErrorCode, type FieldError } from '@docent/protocol';

/**
 * An error the server expects and knows how to explain. The HTTP layer turns it into
 * `{"error":{"code","message","request_id"}}` with the catalogue's status; anything that is not
 * an AppError is treated as unexpected and answered with a generic `internal_error`.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CATALOGUE[code].message,
    readonly fields?: FieldError[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.status = ERROR_CATALOGUE[code].status;
  }
}
