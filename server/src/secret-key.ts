/**
 * The secret key's rules, for config.ts (which alone reads it from the environment): production
 * refuses a missing, placeholder or weak key; elsewhere a missing key is generated once and kept in
 * the data directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';

/** The placeholder from the original design's examples; never acceptable in production. */
export const DEFAULT_DEV_SECRET = 'dev-secret-key-change-in-production';
const MIN_SECRET_BYTES = 32;
const SECRET_FILE_NAME = 'secret-key';

export type SecretKeySource = 'env' | 'data-dir' | 'generated';

export function requireProductionSecret(secret: string | undefined): { key: string; source: 'env' } {
  if (secret === undefined) {
    throw new ConfigError('SECRET_KEY', 'must be set in production (generate one with: openssl rand -hex 32)');
  }
  if (secret === DEFAULT_DEV_SECRET) {
    throw new ConfigError('SECRET_KEY', `must not be the placeholder "${DEFAULT_DEV_SECRET}" in production (generate one with: openssl rand -hex 32)`);
  }
  const weakness = secretWeakness(secret);
  if (weakness !== undefined) throw new ConfigError('SECRET_KEY', `${weakness} in production (generate one with: openssl rand -hex 32)`);
  return { key: secret, source: 'env' };
}

/** Fewer distinct characters than this cannot be a random key (hex has 16, base64 64). */
const MIN_DISTINCT_SECRET_CHARACTERS = 10;

/**
 * Why a secret key is too weak to sign sessions with, or undefined: too short, too few distinct
 * characters (`aaaa…`), or one short pattern repeated (`secret-secret-…`). Never quotes the key.
 */
export function secretWeakness(secret: string): string | undefined {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_SECRET_BYTES) return `must be at least ${MIN_SECRET_BYTES} bytes long (it has ${bytes})`;
  const distinct = new Set(secret).size;
  if (distinct < MIN_DISTINCT_SECRET_CHARACTERS) return `must be random: it has only ${distinct} distinct characters`;
  for (let length = 1; length <= secret.length / 2; length += 1) {
    if (secret.length % length === 0 && secret.slice(0, length).repeat(secret.length / length) === secret) return `must be random: it repeats a ${length}-character pattern`;
  }
  return undefined;
}

/**
 * Outside production a missing key is replaced by a random one kept in the data directory, so
 * sessions survive restarts on a laptop without anyone having to invent a secret.
 */
export function devSecret(secret: string | undefined, dataDir: string): { key: string; source: SecretKeySource } {
  if (secret !== undefined) return { key: secret, source: 'env' };
  const file = join(dataDir, SECRET_FILE_NAME);
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= MIN_SECRET_BYTES) return { key: stored, source: 'data-dir' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const generated = randomBytes(MIN_SECRET_BYTES).toString('hex');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${generated}\n`, { mode: 0o600 });
  return { key: generated, source: 'generated' };
}
