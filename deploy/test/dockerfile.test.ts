/**
 * deploy/Dockerfile and its dockerignore, read as Docker reads them: the shape of the stages, what
 * the runtime stage contains and runs, and what the build context leaves out. (image-build.test.ts
 * then replays the build and runs the result.)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DockerIgnore } from './support/dockerignore.js';
import { commandArgv, instructionsOf, parseCopy, parseDockerfile, parseEnv, parseHealthcheck, type Stage } from './support/dockerfile.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const stages = parseDockerfile(readFileSync(join(REPO, 'deploy/Dockerfile'), 'utf8'));
const ignore = new DockerIgnore(readFileSync(join(REPO, 'deploy/Dockerfile.dockerignore'), 'utf8'));
const rootManifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { workspaces: string[]; scripts: Record<string, string> };
const runtime = stages.at(-1) as Stage;
const runtimeEnv = Object.assign({}, ...instructionsOf(runtime, 'ENV').map((instruction) => parseEnv(instruction.args))) as Record<string, string>;

function stageNamed(name: string): Stage {
  const stage = stages.find((candidate) => candidate.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  return stage;
}

/** The stage's own base image, following FROM <stage> chains. */
function baseImage(stage: Stage): string {
  const parent = stages.find((candidate) => candidate.name === stage.base);
  return parent ? baseImage(parent) : stage.base;
}

describe('deploy/Dockerfile', () => {
  it('is multi-stage on node:20-bookworm-slim, pinned to the major the project supports', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(new Set(stages.map((stage) => stage.name)).size).toBe(stages.length);
    for (const stage of stages) expect(baseImage(stage), `stage ${stage.name}`).toBe('node:20-bookworm-slim');
  });

  it('installs from the lockfile after copying only the manifests, so source edits keep npm ci cached', () => {
    const deps = stages[0] as Stage;
    const firstRun = deps.instructions.findIndex((instruction) => instruction.keyword === 'RUN');
    const copiedBefore = deps.instructions.slice(0, firstRun).filter((instruction) => instruction.keyword === 'COPY').flatMap((instruction) => parseCopy(instruction).sources);
    const manifests = ['package.json', 'package-lock.json', ...rootManifest.workspaces.map((workspace) => `${workspace}/package.json`)];
    expect(copiedBefore.sort()).toEqual(manifests.sort());
    expect(deps.instructions[firstRun]?.args).toMatch(/^npm ci\b.*--ignore-scripts/);
  });

  it('builds the widget, compiles the server and prunes to production dependencies in stages the runtime copies from', () => {
    const copiesFromStages = instructionsOf(runtime, 'COPY').filter((instruction) => instruction.flags.from !== undefined);
    expect(copiesFromStages.map((instruction) => `${instruction.flags.from} ${parseCopy(instruction).sources.join(' ')}`).sort()).toEqual([
      'build /app/ingest/dist',
      'build /app/protocol/dist',
      'build /app/server/dist',
      'build /app/server/pglite-template',
      'build /app/widget/dist',
      'prod-deps /app/node_modules',
    ]);
    expect(instructionsOf(stageNamed('build'), 'RUN').map((instruction) => instruction.args)).toEqual(['npm run build:widget && npm run build:server']);
    const prune = instructionsOf(stageNamed('prod-deps'), 'RUN').map((instruction) => instruction.args).join(' && ');
    expect(prune).toMatch(/npm prune --omit=dev/);
    expect(prune).toMatch(/deploy\/prune-optional-peers\.ts/);
  });

  it('runs as node with the production environment, a /data volume and port 8000', () => {
    expect(instructionsOf(runtime, 'USER').at(-1)?.args).toBe('node');
    expect(runtimeEnv).toEqual({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '8000', DATA_DIR: '/data' });
    expect(instructionsOf(runtime, 'EXPOSE').map((instruction) => instruction.args)).toEqual([runtimeEnv.PORT]);
    const volumes = instructionsOf(runtime, 'VOLUME');
    expect(volumes.map((instruction) => JSON.parse(instruction.args) as string[])).toEqual([[runtimeEnv.DATA_DIR]]);
    // The volume's folder is created and handed to node before VOLUME (later changes would be lost).
    const chown = runtime.instructions.findIndex((instruction) => instruction.keyword === 'RUN' && instruction.args.includes(`chown node:node ${runtimeEnv.DATA_DIR}`));
    expect(chown).toBeGreaterThan(0);
    expect(chown).toBeLessThan(runtime.instructions.indexOf(volumes[0] as (typeof volumes)[number]));
  });

  it('starts the compiled server the way npm start does, and installs, compiles or ships no TypeScript', () => {
    const cmd = commandArgv(instructionsOf(runtime, 'CMD').at(-1)?.args ?? '');
    expect(cmd.join(' ')).toBe(rootManifest.scripts.start);
    expect(cmd.filter((argument) => /tsx|\.ts$/.test(argument))).toEqual([]);
    expect(instructionsOf(runtime, 'RUN').filter((instruction) => /\b(npm|npx|yarn|pnpm|apt-get|apk|curl|wget)\b/.test(instruction.args))).toEqual([]);
    // Only named paths from the context: never `COPY . .`, which would carry whatever the context holds.
    const contextSources = instructionsOf(runtime, 'COPY').filter((instruction) => instruction.flags.from === undefined).flatMap((instruction) => parseCopy(instruction).sources);
    expect(contextSources.filter((source) => ['.', './', '*'].includes(source))).toEqual([]);
    expect(contextSources.filter((source) => /(^|\/)test(\/|$)|\.env/.test(source))).toEqual([]);
    expect(contextSources.filter((source) => /(^|\/)src\/?$|\.ts$/.test(source)), 'TypeScript sources in the runtime stage').toEqual([]);
  });

  it('has a HEALTHCHECK that asks /health with node itself (the slim image has no curl)', () => {
    const healthcheck = parseHealthcheck(instructionsOf(runtime, 'HEALTHCHECK').at(-1) ?? expect.fail('no HEALTHCHECK'));
    expect(healthcheck.command.slice(0, 2)).toEqual(['node', '-e']);
    expect(healthcheck.command[2]).toContain('/health');
    expect(healthcheck.options).toMatchObject({ interval: expect.any(String), timeout: expect.any(String), 'start-period': expect.any(String) });
  });

  it('never sends dependencies, builds, local data or secrets to the builder, and keeps what the COPY lines need', () => {
    const leftOut = [
      'node_modules/fastify/package.json',
      'server/node_modules/x/index.js',
      'widget/dist/docent.js',
      'data/pglite/PG_VERSION',
      '.env',
      '.env.production',
      'server/.env.local',
      '.git/HEAD',
      'test-results/report.json',
      'e2e/test-results/trace.zip',
      'bench/results/http.json',
      'docusaurus-plugin-docent/test/fixture-site/.docusaurus/registry.js',
    ];
    expect(leftOut.filter((path) => !ignore.ignores(path))).toEqual([]);
    const copied = stages.flatMap((stage) => instructionsOf(stage, 'COPY').filter((instruction) => instruction.flags.from === undefined).flatMap((instruction) => parseCopy(instruction).sources));
    const kept = [...copied.map((source) => source.replace(/\/$/, '')), 'server/src/main.ts', 'course/docs/ros2/index.md', 'server/drizzle/meta/_journal.json', 'widget/src/index.ts'];
    expect(kept.filter((path) => ignore.ignores(path))).toEqual([]);
  });
});

describe("the HEALTHCHECK command", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** Runs the image's HEALTHCHECK against a stand-in server answering /health with `status`. */
  async function healthcheckAgainst(status: number | 'nothing listening'): Promise<number | null> {
    const healthcheck = parseHealthcheck(instructionsOf(runtime, 'HEALTHCHECK').at(-1) ?? expect.fail('no HEALTHCHECK'));
    const stub = createServer((request, response) => response.writeHead(request.url === '/health' ? (status as number) : 404).end());
    server = stub;
    await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    const address = stub.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    if (status === 'nothing listening') await new Promise<void>((resolve) => stub.close(() => resolve()));
    server = status === 'nothing listening' ? undefined : stub;
    const child = spawn(healthcheck.command[0] as string, healthcheck.command.slice(1), { env: { PATH: process.env.PATH ?? '', PORT: String(port) }, stdio: 'ignore' });
    return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  it('exits 0 when /health answers 200', async () => {
    expect(await healthcheckAgainst(200)).toBe(0);
  });

  it('exits 1 when the database is down (503) or nothing listens', async () => {
    expect(await healthcheckAgainst(503)).toBe(1);
    expect(await healthcheckAgainst('nothing listening')).toBe(1);
  });
});
