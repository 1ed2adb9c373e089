import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';

/**
 * No Docent request needs more than a few levels of JSON; anything deeper is refused before it is
 * parsed. Otherwise a body nested 200,000 levels deep (400 KB, under the size limit) parses, then
 * overflows the stack wherever it is walked recursively (serialising it for better-auth) and
 * answers 500.
 */
export const MAX_JSON_DEPTH = 64;

/** Fastify's own JSON parser (with its prototype-poisoning defences), behind a nesting limit. */
export function registerJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, raw, done) => {
    const body = raw as string;
    if (nestingDepthExceeds(body, MAX_JSON_DEPTH)) {
      done(new AppError('validation_failed', `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep.`), undefined);
      return;
    }
    parse(request, body, done);
  });
}

/** Counts brackets outside strings, in one pass and without recursion. */
function nestingDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index += 1; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x5b || char === 0x7b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (char === 0x5d || char === 0x7d) depth -= 1;
  }
  return false;
}
