/** Header that carries a request's ID from client to server and back. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** A client-supplied request ID is accepted only in this shape; anything else is replaced. */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function isAcceptableRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID_PATTERN.test(value);
}
