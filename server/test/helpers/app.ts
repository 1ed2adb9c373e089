import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type BuildAppOptions, type DocentApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createFreshPostgresDatabase, POSTGRES_MISSING } from './postgres.js';

export type BackendName = 'pglite' | 'postgres';

/**
 * Every storage behaviour is tested against both backends through the same suite; PostgreSQL's
 * half only where it can run (the preflight said why not, once, at the start).
 */
export const DATABASE_BACKENDS: { name: BackendName }[] = POSTGRES_MISSING === undefined ? [{ name: 'pglite' }, { name: 'postgres' }] : [{ name: 'pglite' }];

export function temporaryDirectory(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'docent-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A development-mode configuration with its own data directory and no log output. */
export function testConfig(env: Record<string, string> = {}): Config {
  const dataDir = temporaryDirectory().path;
  return loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
}

export interface TestDatabaseTarget {
  config: Config;
  cleanup(): Promise<void>;
}

/** A configuration pointing at a brand-new database of the given backend. */
export async function freshDatabaseConfig(backend: BackendName, env: Record<string, string> = {}): Promise<TestDatabaseTarget> {
  if (backend === 'pglite') {
    const config = testConfig(env);
    return { config, cleanup: async () => rmSync(config.dataDir, { recursive: true, force: true }) };
  }
  const database = await createFreshPostgresDatabase();
  const config = testConfig({ DATABASE_URL: database.url, ...env });
  return {
    config,
    cleanup: async () => {
      await database.drop();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

export interface TestApp {
  app: DocentApp;
  config: Config;
  close(): Promise<void>;
}

export async function startTestApp(
  backend: BackendName,
  env: Record<string, string> = {},
  options: BuildAppOptions = {},
): Promise<TestApp> {
  const target = await freshDatabaseConfig(backend, env);
  const app = await buildApp(target.config, options);
  return {
    app,
    config: target.config,
    close: async () => {
      await app.close();
      await target.cleanup();
    },
  };
}

/** Collects every log line the app writes, parsed. */
export function captureLogs(): { write(line: string): void; lines: Record<string, unknown>[]; text(): string } {
  const raw: string[] = [];
  return {
    write: (line) => void raw.push(line),
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    text: () => raw.join(''),
  };
}
