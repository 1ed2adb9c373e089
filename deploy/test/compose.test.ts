/**
 * deploy/docker-compose.yml without Docker: valid against the Compose Specification schema, plus
 * what the schema cannot say — dependencies that exist and report health, one configuration for
 * both replicas, no secret in the file, every interpolated variable documented, and the app
 * configuration a container would get accepted by Docent's own config loader.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES, loadConfig } from '../../server/src/config.js';
import { composeValidator, interpolate, interpolatedVariables, InterpolationError, parseComposeYaml } from './support/compose.js';
import { instructionsOf, parseDockerfile, parseEnv } from './support/dockerfile.js';
import { documentedVariables, parseEnvFile } from './support/env-file.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const COMPOSE_FILE = join(REPO, 'deploy/docker-compose.yml');
const COMPOSE_TEXT = readFileSync(COMPOSE_FILE, 'utf8');
const EXAMPLE_TEXT = readFileSync(join(REPO, '.env.production.example'), 'utf8');
const APPS = ['docent-a', 'docent-b'];
const SECRET_NAME = /PASSWORD|SECRET|API_KEY|TOKEN|PRIVATE/;

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  env_file?: string;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
  volumes?: string[];
}
interface ComposeFile {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parseComposeYaml(COMPOSE_TEXT) as ComposeFile;
const validate = composeValidator();
const service = (name: string) => compose.services[name] ?? expect.fail(`no service ${name}`);

/** Values a deployer puts in .env.production (hex, as the example file asks). */
const filledEnvFile = (): Record<string, string> => ({
  ...parseEnvFile(EXAMPLE_TEXT),
  SECRET_KEY: randomBytes(32).toString('hex'),
  PUBLIC_URL: 'https://docent.example.com',
  SMTP_URL: 'smtps://docent:mail-password@smtp.example.com:465',
  QDRANT_API_KEY: randomBytes(32).toString('hex'),
  POSTGRES_PASSWORD: randomBytes(24).toString('hex'),
});

describe('deploy/docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    expect(validate(compose).map((error) => `${error.instancePath} ${error.message}`)).toEqual([]);
  });

  it('is rejected by the same validator when broken (so the check above means something)', () => {
    const broken = (edit: (copy: ComposeFile & Record<string, unknown>) => void) => {
      const copy = structuredClone(compose) as ComposeFile & Record<string, unknown>;
      edit(copy);
      return validate(copy).map((error) => `${error.instancePath} ${error.message}`);
    };
    expect(broken((copy) => (copy.servics = copy.services))).toContain(' must NOT have additional properties');
    expect(
      broken((copy) => {
        (copy.services['docent-a'] as unknown as { ports: unknown }).ports = 'oops';
      }),
    ).toContain('/services/docent-a/ports must be array');
    expect(
      broken((copy) => {
        (copy.services.postgres as unknown as { healthcheck: { interval: string } }).healthcheck.interval = '5 seconds';
      }),
    ).toContain('/services/postgres/healthcheck/interval must match format "duration"');
  });

  it('starts the apps only once every service they depend on reports healthy', () => {
    for (const app of APPS) {
      const dependsOn = service(app).depends_on ?? {};
      expect(Object.keys(dependsOn).sort(), app).toEqual(['postgres', 'qdrant', 'redis']);
      for (const [target, { condition }] of Object.entries(dependsOn)) {
        expect(condition, `${app} → ${target}`).toBe('service_healthy');
        expect(service(target).healthcheck, `${target} needs a healthcheck for service_healthy`).toBeDefined();
      }
    }
  });

  it('runs two replicas of one configuration, from this repository’s Dockerfile, on distinct host ports', () => {
    const [a, b] = APPS.map((app) => service(app));
    expect({ ...a, ports: undefined }).toEqual({ ...b, ports: undefined });
    expect(COMPOSE_TEXT.match(/<<: \*docent\b/g)).toHaveLength(APPS.length);
    expect(a?.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
    expect(resolve(dirname(COMPOSE_FILE), a?.build?.context ?? '')).toBe(resolve(REPO));
    expect(resolve(dirname(COMPOSE_FILE), a?.env_file ?? '')).toBe(join(resolve(REPO), '.env.production'));

    // Host ports 8001 and 8002, loopback only (a TLS proxy goes in front), onto the image's PORT.
    const runtime = parseDockerfile(readFileSync(join(REPO, 'deploy/Dockerfile'), 'utf8')).at(-1);
    const imagePort = Object.assign({}, ...instructionsOf(runtime ?? expect.fail('no stage'), 'ENV').map((env) => parseEnv(env.args))).PORT as string;
    expect([a, b].flatMap((app) => app?.ports ?? [])).toEqual([`127.0.0.1:8001:${imagePort}`, `127.0.0.1:8002:${imagePort}`]);
  });

  it('keeps data in named volumes and pins every image it pulls', () => {
    const used = Object.values(compose.services).flatMap((entry) => (entry.volumes ?? []).map((mount) => mount.split(':')[0]));
    expect(used.sort()).toEqual(Object.keys(compose.volumes ?? {}).sort());
    const pulled = Object.entries(compose.services).filter(([, entry]) => entry.build === undefined).map(([, entry]) => entry.image);
    expect(pulled.sort()).toEqual(['pgvector/pgvector:pg16', 'qdrant/qdrant:v1.19.0', 'redis:7-alpine']);
  });

  it('contains no secret: secret settings and URL passwords are all ${…} from the env file', () => {
    for (const [name, entry] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(entry.environment ?? {})) {
        if (SECRET_NAME.test(key)) expect(String(value), `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
        for (const [, password] of String(value).matchAll(/:\/\/[^:/@\s]+:([^@\s]+)@/g)) expect(password, `${name}.${key}`).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
      }
      // Docent's own secrets come only from the env file.
      expect(Object.keys(entry.environment ?? {}).filter((key) => ['SECRET_KEY', 'SMTP_URL', 'LLM_API_KEY', 'EMBEDDING_API_KEY'].includes(key)), name).toEqual([]);
    }
    expect(COMPOSE_TEXT, 'something that looks like a key').not.toMatch(/\b[0-9a-f]{32,}\b|\b[A-Za-z0-9+/]{40,}={0,2}/);
  });

  it('interpolates only variables .env.production.example documents, and names any that is empty', () => {
    const documented = new Set(documentedVariables(EXAMPLE_TEXT).map((variable) => variable.name));
    expect(interpolatedVariables(COMPOSE_TEXT).filter((name) => !documented.has(name))).toEqual([]);
    // What an operator sees when they forget one (compose prints the message and stops).
    const env = filledEnvFile();
    expect(() => interpolate(COMPOSE_TEXT, { ...env, POSTGRES_PASSWORD: '' })).toThrow(InterpolationError);
    expect(() => interpolate(COMPOSE_TEXT, { ...env, POSTGRES_PASSWORD: '' })).toThrow(/POSTGRES_PASSWORD.*set POSTGRES_PASSWORD in \.env\.production/);
    expect(() => interpolate(COMPOSE_TEXT, { ...env, QDRANT_API_KEY: '' })).toThrow(/QDRANT_API_KEY/);
  });

  it('gives each app a configuration Docent accepts, pointing at the stack’s own services', () => {
    const envFile = filledEnvFile();
    const resolved = parseComposeYaml(interpolate(COMPOSE_TEXT, envFile)) as ComposeFile;
    expect(validate(resolved).map((error) => `${error.instancePath} ${error.message}`)).toEqual([]);
    const runtime = parseDockerfile(readFileSync(join(REPO, 'deploy/Dockerfile'), 'utf8')).at(-1);
    const imageEnv = Object.assign({}, ...instructionsOf(runtime ?? expect.fail('no stage'), 'ENV').map((env) => parseEnv(env.args))) as Record<string, string>;
    // Compose's precedence: the image's ENV, then env_file, then environment.
    const containerEnv = { ...imageEnv, ...envFile, ...resolved.services['docent-a']?.environment };
    const config = loadConfig(containerEnv);
    expect(config).toMatchObject({
      isProduction: true,
      host: '0.0.0.0',
      port: 8000,
      dataDir: '/data',
      databaseUrl: `postgres://docent:${envFile.POSTGRES_PASSWORD}@postgres:5432/docent`,
      redisUrl: 'redis://redis:6379',
      qdrant: { url: 'http://qdrant:6333', apiKey: envFile.QDRANT_API_KEY, collection: 'physical_ai_course' },
      trustProxy: 1,
    });
    expect(resolved.services.postgres?.environment?.POSTGRES_PASSWORD).toBe(envFile.POSTGRES_PASSWORD);
    expect(Object.keys(containerEnv).filter((name) => !(ENVIRONMENT_VARIABLES as string[]).includes(name))).toEqual(['POSTGRES_PASSWORD']);
  });
});

describe('the healthchecks of the services', () => {
  let stub: TcpServer | undefined;
  afterEach(() => new Promise<void>((done) => (stub ? stub.close(() => done()) : done())));

  /** A TCP server answering every connection with `reply`; returns its port. */
  async function answerWith(reply: string): Promise<number> {
    const server = createTcpServer((socket) => {
      socket.on('error', () => undefined); // the probe hangs up as soon as it has the status line
      socket.once('data', () => socket.end(reply));
    });
    stub = server;
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    const address = server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  function exitCode(argv: string[]): Promise<number | null> {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: 'ignore' });
    return new Promise((done) => child.once('exit', (code) => done(code)));
  }

  /** The compose test command as the container runs it ($$ unescaped), aimed at `port`. */
  function healthcheckCommand(name: string, port: number, from: string, to: string): string[] {
    const test = service(name).healthcheck?.test;
    if (!Array.isArray(test) || !['CMD', 'CMD-SHELL'].includes(test[0] as string)) return expect.fail(`${name}: healthcheck test must be CMD or CMD-SHELL`);
    const argv = test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', test.slice(1).join(' ')] : test.slice(1);
    return argv.map((part) => interpolate(part, {}).replaceAll(from, to.replace('PORT', String(port))));
  }

  it("qdrant's (bash, /dev/tcp, no curl) passes on 200 from /readyz and fails otherwise", async () => {
    const ready = await answerWith('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    expect(await exitCode(healthcheckCommand('qdrant', ready, '127.0.0.1/6333', '127.0.0.1/PORT'))).toBe(0);
    await new Promise<void>((done) => stub?.close(() => done()));
    const starting = await answerWith('HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n');
    expect(await exitCode(healthcheckCommand('qdrant', starting, '127.0.0.1/6333', '127.0.0.1/PORT'))).not.toBe(0);
  });

  const hasRedisCli = (() => {
    try {
      execFileSync('redis-cli', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasRedisCli)("redis's passes on PONG and fails while Redis is still loading (needs redis-cli)", async () => {
    const up = await answerWith('+PONG\r\n');
    expect(await exitCode(healthcheckCommand('redis', up, 'redis-cli', 'redis-cli -p PORT'))).toBe(0);
    await new Promise<void>((done) => stub?.close(() => done()));
    const loading = await answerWith('-LOADING Redis is loading the dataset in memory\r\n');
    expect(await exitCode(healthcheckCommand('redis', loading, 'redis-cli', 'redis-cli -p PORT'))).not.toBe(0);
  });
});
