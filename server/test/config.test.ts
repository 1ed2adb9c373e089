import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DEV_SECRET, loadConfig } from '../src/config.js';
import { temporaryDirectory } from './helpers/app.js';
import { spawnServer } from './helpers/process.js';

const STRONG_SECRET = randomBytes(32).toString('hex');
const PRODUCTION = {
  NODE_ENV: 'production',
  SECRET_KEY: STRONG_SECRET,
  CORS_ORIGINS: 'https://course.example.com',
  PUBLIC_URL: 'https://docent.example.com',
  SMTP_URL: 'smtps://docent:mail-password@smtp.example.com:465',
};
const dataDir = temporaryDirectory();
afterAll(() => dataDir?.remove());

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ DATA_DIR: dataDir.path, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('starts from documented defaults', () => {
    const config = loadConfig({ DATA_DIR: dataDir.path });
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 8000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      qdrant: { url: undefined, collection: 'physical_ai_course' },
      integrationTestMode: false,
    });
    expect(config.dataDir).toBe(dataDir.path);
  });

  it('generates a development secret once and keeps it in DATA_DIR', () => {
    const directory = temporaryDirectory();
    const first = loadConfig({ DATA_DIR: directory.path });
    const second = loadConfig({ DATA_DIR: directory.path });
    expect(first.secretKeySource).toBe('generated');
    expect(second.secretKeySource).toBe('data-dir');
    expect(second.secretKey).toBe(first.secretKey);
    expect(first.secretKey).toHaveLength(64);
    expect(readFileSync(join(directory.path, 'secret-key'), 'utf8').trim()).toBe(first.secretKey);
    directory.remove();
  });

  it('answers with a model only when its URL, key and name are all set', () => {
    expect(loadConfig({ DATA_DIR: dataDir.path }).llm).toBeUndefined();
    const config = loadConfig({ DATA_DIR: dataDir.path, LLM_BASE_URL: 'https://api.example.com/v1', LLM_API_KEY: 'sk-x', LLM_MODEL: 'gpt-4o-mini', LLM_TIMEOUT_SECONDS: '12' });
    expect(config.llm).toEqual({ baseUrl: 'https://api.example.com/v1', apiKey: 'sk-x', model: 'gpt-4o-mini', timeoutMs: 12_000 });
    expect(config.chat).toEqual({ heartbeatMs: 15_000, minDenseScore: undefined });
  });

  it('limits chat to 20 questions a minute and trusts no proxy unless told', () => {
    const defaults = loadConfig({ DATA_DIR: dataDir.path });
    expect(defaults.rateLimit).toEqual({ chatPerMinute: 20, authPerMinute: 10, searchPerMinute: 60, chatPerAddressPerMinute: 60, searchPerAddressPerMinute: 180 });
    // The per-address ceilings follow the per-reader limits unless set themselves.
    expect(loadConfig({ DATA_DIR: dataDir.path, RATE_LIMIT_CHAT_PER_MINUTE: '50', RATE_LIMIT_SEARCH_PER_ADDRESS_PER_MINUTE: '500' }).rateLimit).toMatchObject({ chatPerAddressPerMinute: 150, searchPerAddressPerMinute: 500 });
    expect(defaults.trustProxy).toBe(false);
    expect(loadConfig({ DATA_DIR: dataDir.path, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ DATA_DIR: dataDir.path, TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig({ DATA_DIR: dataDir.path, ...PRODUCTION, CORS_ORIGINS: 'https://a.example.com, https://b.example.com:8443/' });
    expect(config.host).toBe('0.0.0.0');
    expect(config.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com:8443']);
    expect(config.secretKeySource).toBe('env');
    expect(config.accounts).toEqual({ publicUrl: 'https://docent.example.com', requireEmailVerification: true });
    expect(config.mail?.smtpUrl).toBe(PRODUCTION.SMTP_URL);
  });

  it('reads an empty variable as unset, never as false or zero', () => {
    const config = loadConfig({ DATA_DIR: dataDir.path, REQUIRE_EMAIL_VERIFICATION: '', PORT: ' ', CHAT_MIN_DENSE_SCORE: '' });
    expect(config.accounts.requireEmailVerification).toBe(true);
    expect(config.port).toBe(8000);
    expect(config.chat.minDenseScore).toBeUndefined();
  });

  it('asks readers to confirm their email, links to this machine, and sends no mail unless told', () => {
    const config = loadConfig({ DATA_DIR: dataDir.path, PORT: '8123' });
    expect(config.accounts).toEqual({ publicUrl: 'http://127.0.0.1:8123', requireEmailVerification: true });
    expect(config.mail).toBeUndefined();
    expect(config.dailyTokenBudget).toBeUndefined();
    const { PUBLIC_URL: _unset, ...onRailway } = PRODUCTION;
    expect(loadConfig({ DATA_DIR: dataDir.path, ...onRailway, RAILWAY_PUBLIC_DOMAIN: 'docent.up.railway.app' }).accounts.publicUrl).toBe('https://docent.up.railway.app');
    const { SMTP_URL: _noMail, ...withoutMail } = PRODUCTION;
    expect(loadConfig({ DATA_DIR: dataDir.path, ...withoutMail, REQUIRE_EMAIL_VERIFICATION: 'false' }).mail).toBeUndefined();
  });

  it.each([
    [{ ...PRODUCTION, SECRET_KEY: '' }, 'SECRET_KEY', /must be set/],
    [{ ...PRODUCTION, SECRET_KEY: DEFAULT_DEV_SECRET }, 'SECRET_KEY', /placeholder/],
    [{ ...PRODUCTION, SECRET_KEY: 'short-secret' }, 'SECRET_KEY', /at least 32 bytes/],
    [{ ...PRODUCTION, SECRET_KEY: 'a'.repeat(64) }, 'SECRET_KEY', /only 1 distinct characters/],
    [{ ...PRODUCTION, SECRET_KEY: 'quick-brown-fox-'.repeat(4) }, 'SECRET_KEY', /repeats a 16-character pattern/],
    [{ ...PRODUCTION, CORS_ORIGINS: 'https://course.example.com,http://course.example.com' }, 'CORS_ORIGINS', /only https:\/\/ origins/],
    [{ ...PRODUCTION, PUBLIC_URL: 'http://docent.example.com' }, 'PUBLIC_URL', /must be an https:\/\/ address/],
    [{ ...PRODUCTION, INTEGRATION_TEST_MODE: 'true' }, 'INTEGRATION_TEST_MODE', /must not be true/],
    [{ ...PRODUCTION, CORS_ORIGINS: '' }, 'CORS_ORIGINS', /must be set/],
    [{ ...PRODUCTION, CORS_ORIGINS: ' , ' }, 'CORS_ORIGINS', /at least one origin/],
    [{ ...PRODUCTION, PUBLIC_URL: '' }, 'PUBLIC_URL', /must be set in production/],
    [{ ...PRODUCTION, SMTP_URL: '' }, 'SMTP_URL', /REQUIRE_EMAIL_VERIFICATION/],
  ])('refuses production with a bad %#: %s', (env, variable, problem) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(problem);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ QDRANT_URL: 'not a url' }, 'QDRANT_URL'],
    [{ REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL'],
    [{ INTEGRATION_TEST_MODE: 'maybe' }, 'INTEGRATION_TEST_MODE'],
    [{ SMTP_URL: 'mail.example.com' }, 'SMTP_URL'],
    [{ DAILY_TOKEN_BUDGET: '-5' }, 'DAILY_TOKEN_BUDGET'],
    [{ REQUIRE_EMAIL_VERIFICATION: 'sometimes' }, 'REQUIRE_EMAIL_VERIFICATION'],
    [{ CORS_ORIGINS: 'https://ok.example.com,https://bad.example.com/path' }, 'CORS_ORIGINS'],
    [{ QDRANT_COLLECTION: 'no spaces please' }, 'QDRANT_COLLECTION'],
    [{ EMBEDDING_BASE_URL: 'http://localhost:8080/v1' }, 'EMBEDDING_MODEL'],
    [{ EMBEDDING_BASE_URL: 'localhost:8080', EMBEDDING_MODEL: 'm' }, 'EMBEDDING_BASE_URL'],
    [{ LLM_BASE_URL: 'https://api.example.com/v1', LLM_MODEL: 'm' }, 'LLM_API_KEY'],
    [{ LLM_API_KEY: 'sk-x' }, 'LLM_BASE_URL'],
    [{ LLM_BASE_URL: 'ftp://models', LLM_API_KEY: 'sk-x', LLM_MODEL: 'm' }, 'LLM_BASE_URL'],
    [{ LLM_TIMEOUT_SECONDS: '0' }, 'LLM_TIMEOUT_SECONDS'],
    [{ CHAT_HEARTBEAT_SECONDS: 'often' }, 'CHAT_HEARTBEAT_SECONDS'],
    [{ CHAT_MIN_DENSE_SCORE: '2' }, 'CHAT_MIN_DENSE_SCORE'],
    [{ RATE_LIMIT_CHAT_PER_MINUTE: '0' }, 'RATE_LIMIT_CHAT_PER_MINUTE'],
    [{ RATE_LIMIT_CHAT_PER_ADDRESS_PER_MINUTE: '0' }, 'RATE_LIMIT_CHAT_PER_ADDRESS_PER_MINUTE'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY'],
    [{ EMBEDDING_DIMENSIONS: 'wide' }, 'EMBEDDING_DIMENSIONS'],
  ])('names the variable when a value is malformed: %s', (env, variable) => {
    expect(configError(env).variable).toBe(variable);
  });

  it('lets production run on localhost over plain http (a trial on one machine), and with a random key', () => {
    const local = loadConfig({ DATA_DIR: temporaryDirectory().path, ...PRODUCTION, CORS_ORIGINS: 'http://localhost:3000,http://127.0.0.1:8080', PUBLIC_URL: 'http://localhost:8000' });
    expect(local.corsOrigins).toEqual(['http://localhost:3000', 'http://127.0.0.1:8080']);
    expect(local.accounts.publicUrl).toBe('http://localhost:8000');
    // A random base64 key, 32 bytes: accepted.
    expect(loadConfig({ DATA_DIR: temporaryDirectory().path, ...PRODUCTION, SECRET_KEY: randomBytes(32).toString('base64') }).secretKeySource).toBe('env');
  });

  it('does not echo a rejected secret in its message', () => {
    const error = configError({ ...PRODUCTION, SECRET_KEY: 'tiny-but-secret' });
    expect(error.message).not.toContain('tiny-but-secret');
  });
});

describe('the real server process in production', () => {
  it.each([
    [{ SECRET_KEY: '' }, 'SECRET_KEY'],
    [{ SECRET_KEY: DEFAULT_DEV_SECRET }, 'SECRET_KEY'],
    [{ SECRET_KEY: 'only-twenty-bytes-ok' }, 'SECRET_KEY'],
    [{ INTEGRATION_TEST_MODE: 'true' }, 'INTEGRATION_TEST_MODE'],
    [{ CORS_ORIGINS: '' }, 'CORS_ORIGINS'],
    [{ SMTP_URL: '' }, 'SMTP_URL'],
  ])('exits with code 1 and one line naming the variable: %s', async (override, variable) => {
    const server = spawnServer({ DATA_DIR: dataDir.path, ...PRODUCTION, ...override });
    expect(await server.exited).toBe(1);
    const lines = server.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Configuration error: ${variable} `));
  });
});
