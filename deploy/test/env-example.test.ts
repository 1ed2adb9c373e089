/**
 * .env.production.example against the code that reads it (server/src/config.ts): every variable
 * Docent reads is documented, nothing unknown is, production refuses the file as shipped and
 * says what to fill in, and filled in it changes no default by accident.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENVIRONMENT_VARIABLES, loadConfig, type Config } from '../../server/src/config.js';
import { interpolatedVariables } from './support/compose.js';
import { documentedVariables, parseEnvFile } from './support/env-file.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE_TEXT = readFileSync(join(REPO, '.env.production.example'), 'utf8');
const COMPOSE_TEXT = readFileSync(join(REPO, 'deploy/docker-compose.yml'), 'utf8');
const documented = documentedVariables(EXAMPLE_TEXT);
const docentVariables: string[] = [...ENVIRONMENT_VARIABLES];
/** Read by docker compose for its own services (e.g. the postgres password), not by Docent. */
const composeVariables = interpolatedVariables(COMPOSE_TEXT).filter((name) => !docentVariables.includes(name));

/** What a deployer types in: valid values for the settings production insists on. */
const DEPLOYER_VALUES: Record<string, string> = {
  SECRET_KEY: randomBytes(32).toString('hex'),
  PUBLIC_URL: 'https://docent.example.com',
  SMTP_URL: 'smtps://docent:mail-password@smtp.example.com:465',
};

function refusal(env: Record<string, string>): ConfigError | undefined {
  try {
    loadConfig(env);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

describe('.env.production.example', () => {
  it('lists every variable Docent reads, once, and no variable nobody reads', () => {
    const names = documented.map((variable) => variable.name);
    expect(names.filter((name, index) => names.indexOf(name) !== index), 'listed twice').toEqual([]);
    expect(docentVariables.filter((name) => !names.includes(name)), 'missing').toEqual([]);
    expect(names.filter((name) => !docentVariables.includes(name) && !composeVariables.includes(name)), 'unknown').toEqual([]);
    expect(composeVariables.filter((name) => !names.includes(name)), 'used by docker-compose.yml').toEqual([]);
  });

  it('says what each variable does and what its default is', () => {
    const undocumented = documented.filter((variable) => variable.description.length < 20 || !/default/i.test(variable.description));
    expect(undocumented.map((variable) => `line ${variable.line}: ${variable.name}`)).toEqual([]);
  });

  it('ships no secret and leaves empty only what the deployer must fill in', () => {
    const secrets = documented.filter((variable) => /SECRET|PASSWORD|API_KEY|TOKEN|SMTP_URL|DATABASE_URL/.test(variable.name));
    // Set lines are empty; commented-out examples hold nothing but placeholders.
    expect(secrets.filter((variable) => variable.active && variable.value !== '').map((variable) => variable.name)).toEqual([]);
    expect(secrets.filter((variable) => !variable.active && /:\/\/[^:@/]+:(?!PASSWORD@)[^@]+@/.test(variable.value)).map((variable) => variable.name)).toEqual([]);
    // A present-but-empty line reads as "fill me in": only the values production or compose insist on.
    const empty = Object.entries(parseEnvFile(EXAMPLE_TEXT)).filter(([, value]) => value === '').map(([name]) => name);
    expect(empty.sort()).toEqual(['POSTGRES_PASSWORD', 'PUBLIC_URL', 'QDRANT_API_KEY', 'SECRET_KEY', 'SMTP_URL']);
  });

  it('is refused by production as shipped, naming SECRET_KEY and how to make one', () => {
    const env = parseEnvFile(EXAMPLE_TEXT);
    expect(env.NODE_ENV).toBe('production');
    const error = refusal(env);
    expect(error?.variable).toBe('SECRET_KEY');
    expect(error?.message).toMatch(/SECRET_KEY must be set in production.*openssl rand -hex 32/);
  });

  it('asks for SECRET_KEY, PUBLIC_URL and SMTP_URL in turn, then is accepted', () => {
    let env = parseEnvFile(EXAMPLE_TEXT);
    const asked: string[] = [];
    for (let error = refusal(env); error !== undefined; error = refusal(env)) {
      const value = DEPLOYER_VALUES[error.variable];
      if (value === undefined || asked.includes(error.variable)) throw new Error(`unexpected refusal: ${error.message}`);
      asked.push(error.variable);
      env = { ...env, [error.variable]: value };
    }
    expect(asked).toEqual(['SECRET_KEY', 'PUBLIC_URL', 'SMTP_URL']);
    expect(loadConfig(env)).toMatchObject({ isProduction: true, secretKeySource: 'env', accounts: { publicUrl: 'https://docent.example.com', requireEmailVerification: true } });
  });

  it('filled in, keeps every setting at its default except the ones it sets on purpose', () => {
    const example = parseEnvFile(EXAMPLE_TEXT);
    const fromExample = loadConfig({ ...example, ...DEPLOYER_VALUES });
    const required = { NODE_ENV: 'production', CORS_ORIGINS: example.CORS_ORIGINS ?? '', ...DEPLOYER_VALUES };
    const fromDefaults = loadConfig(required);
    const onPurpose = (config: Config) => ({ ...config, trustProxy: undefined, mail: config.mail && { ...config.mail, from: undefined } });
    expect(onPurpose(fromExample)).toEqual(onPurpose(fromDefaults));
    // The deliberate ones: behind the compose stack's reverse proxy, and a sender on the deployer's domain.
    expect(fromExample.trustProxy).toBe(1);
    expect(fromExample.mail?.from).toBe('Docent <no-reply@example.com>');
  });
});
