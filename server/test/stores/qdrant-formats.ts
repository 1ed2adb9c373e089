/**
 * The `format`s Qdrant's OpenAPI spec uses, for the stand-in's validator. Ajv knows none of the
 * numeric ones (Rust's integer widths, `float`, `double`) and, told to ignore unknown formats,
 * warned once per schema — thousands of lines burying the test output — while checking nothing.
 * Registered here, a negative `limit` or a fractional point count is a contract violation.
 */
import type { Ajv } from 'ajv';
import formatsPlugin from 'ajv-formats';

// A CommonJS module read from ESM: the plugin function is its `default` export.
const addFormats = formatsPlugin.default;

const integerWithin = (min: number, max: number) => ({ type: 'number' as const, validate: (value: number) => Number.isInteger(value) && value >= min && value <= max });

export function withQdrantFormats(ajv: Ajv): Ajv {
  addFormats(ajv, ['date-time', 'uri', 'uuid']);
  ajv.addFormat('uint', integerWithin(0, Number.MAX_SAFE_INTEGER));
  ajv.addFormat('uint64', integerWithin(0, Number.MAX_SAFE_INTEGER));
  ajv.addFormat('uint32', integerWithin(0, 2 ** 32 - 1));
  ajv.addFormat('uint8', integerWithin(0, 255));
  ajv.addFormat('int64', integerWithin(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
  ajv.addFormat('float', { type: 'number', validate: Number.isFinite });
  ajv.addFormat('double', { type: 'number', validate: Number.isFinite });
  // Strings Qdrant checks itself: file uploads and its own partial timestamps.
  ajv.addFormat('binary', true);
  ajv.addFormat('partial-date-time', true);
  return ajv;
}
