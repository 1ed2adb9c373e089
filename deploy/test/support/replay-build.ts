/**
 * Replays a Dockerfile's build without Docker: each stage gets its own folder standing for its
 * filesystem root, COPY copies what it names from the context (honouring the dockerignore) or from
 * an earlier stage, and RUN runs in the stage's WORKDIR with the stage's ENV.
 *
 * What it cannot reproduce, and how that is handled:
 * - Base images: the host's node and npm stand in for node:20-bookworm-slim's (same major).
 * - Users and ownership: everything runs as the current user; USER is recorded, not applied.
 * - Commands touching absolute paths would touch the host: they are refused, unless `systemStep`
 *   claims them (the tests replay `mkdir -p /data && chown node:node /data` inside the stage root).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { basename, join, posix, relative, sep } from 'node:path';
import { DockerIgnore } from './dockerignore.js';
import { commandArgv, execForm, parseCopy, parseDockerfile, parseEnv, parseHealthcheck, type Healthcheck, type Stage } from './dockerfile.js';
import { copyTree } from './files.js';

export interface ReplayOptions {
  contextDir: string;
  dockerfile: string;
  /** Empty folder that will hold one folder per stage. */
  workDir: string;
  /** Environment every RUN starts from (PATH, HOME…), before the stage's ENV. */
  baseEnv: Record<string, string>;
  /** Lets the caller adjust a RUN command, e.g. `npm ci` → `npm ci --prefer-offline`. */
  rewriteRun?: (command: string) => string;
  /** Replays a RUN step that needs root or absolute paths; returns false to leave it alone. */
  systemStep?: (command: string, stageRoot: string) => boolean;
  log?: (line: string) => void;
}

export interface StageResult {
  name: string;
  /** The folder standing for the stage's `/`. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string | undefined;
  cmd: string[] | undefined;
  healthcheck: Healthcheck | undefined;
  exposes: string[];
  volumes: string[];
}

export interface ReplayResult {
  stages: StageResult[];
  final: StageResult;
  timings: { step: string; ms: number }[];
}

const inStage = (root: string, absolute: string) => join(root, ...absolute.split('/'));
const stageName = (stage: Stage) => stage.name ?? String(stage.index);

function resolveIn(workdir: string, path: string): string {
  return posix.isAbsolute(path) ? posix.normalize(path) : posix.join(workdir, path);
}

/** Runs a command (argv form, no shell of its own) and collects its combined output. */
export async function runShell(argv: string[], cwd: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Whether a stage other than `stage` itself still reads `name` (FROM it, or COPY --from it) from here on. */
function readAfter(stages: Stage[], name: string, stage: Stage): boolean {
  return stages.some(
    (other) =>
      (other.index > stage.index && other.base === name) ||
      (other.index >= stage.index && other.instructions.some((instruction) => instruction.keyword === 'COPY' && instruction.flags.from === name)),
  );
}

export async function replayBuild(options: ReplayOptions): Promise<ReplayResult> {
  const stages = parseDockerfile(readFileSync(options.dockerfile, 'utf8'));
  const ignorePath = `${options.dockerfile}.dockerignore`;
  const ignore = new DockerIgnore(existsSync(ignorePath) ? readFileSync(ignorePath, 'utf8') : '');
  const results = new Map<string, StageResult>();
  const timings: ReplayResult['timings'] = [];
  const log = options.log ?? (() => undefined);

  for (const stage of stages) {
    const root = join(options.workDir, `${stage.index}-${stageName(stage)}`);
    const parent = results.get(stage.base);
    let state: StageResult;
    if (parent) {
      // Nobody reads the parent after this stage: take its folder instead of copying it.
      const readLater = readAfter(stages, stage.base, stage);
      const started = Date.now();
      if (readLater) await copyTree(parent.root, root);
      else renameSync(parent.root, root);
      timings.push({ step: `${stageName(stage)}: FROM ${stage.base} (${readLater ? 'copy' : 'move'})`, ms: Date.now() - started });
      if (!readLater) parent.root = root;
      state = { ...parent, name: stageName(stage), root, env: { ...parent.env }, exposes: [...parent.exposes], volumes: [...parent.volumes] };
    } else {
      mkdirSync(root, { recursive: true });
      state = { name: stageName(stage), root, workdir: '/', env: {}, user: undefined, cmd: undefined, healthcheck: undefined, exposes: [], volumes: [] };
    }
    results.set(stageName(stage), state);

    for (const instruction of stage.instructions.slice(1)) {
      const where = `Dockerfile line ${instruction.line}`;
      // Docker substitutes $VARIABLES in these; the replay does not, so it refuses rather than guess.
      if (['WORKDIR', 'ENV', 'COPY', 'USER', 'EXPOSE', 'VOLUME'].includes(instruction.keyword) && instruction.args.includes('$')) {
        throw new Error(`${where}: variable substitution in ${instruction.keyword} is not replayed`);
      }
      switch (instruction.keyword) {
        case 'WORKDIR':
          state.workdir = resolveIn(state.workdir, instruction.args);
          mkdirSync(inStage(root, state.workdir), { recursive: true });
          break;
        case 'ENV':
          Object.assign(state.env, parseEnv(instruction.args));
          break;
        case 'USER':
          state.user = instruction.args;
          break;
        case 'EXPOSE':
          state.exposes.push(...instruction.args.split(/\s+/));
          break;
        case 'VOLUME':
          state.volumes.push(...(execForm(instruction.args) ?? instruction.args.split(/\s+/)));
          break;
        case 'CMD':
          state.cmd = commandArgv(instruction.args);
          break;
        case 'HEALTHCHECK':
          state.healthcheck = parseHealthcheck(instruction);
          break;
        case 'LABEL':
          break;
        case 'COPY': {
          const started = Date.now();
          await copyStep(instruction.flags.from, parseCopy(instruction), { state, results, options, ignore, where });
          timings.push({ step: `${state.name}: COPY ${instruction.args}`, ms: Date.now() - started });
          break;
        }
        case 'RUN': {
          const command = options.rewriteRun ? options.rewriteRun(instruction.args) : instruction.args;
          if (options.systemStep?.(command, root)) break;
          if (/(^|[\s=:'"])\/(?!dev\/null\b)/.test(command)) throw new Error(`${where}: RUN ${command} uses absolute paths and cannot be replayed outside Docker`);
          const started = Date.now();
          log(`[${state.name}] RUN ${command}`);
          const { code, output } = await runShell(commandArgv(command), inStage(root, state.workdir), { ...options.baseEnv, ...state.env });
          timings.push({ step: `${state.name}: RUN ${command}`, ms: Date.now() - started });
          if (code !== 0) throw new Error(`${where}: RUN ${command} exited with ${code}\n${output.slice(-4000)}`);
          break;
        }
        default:
          throw new Error(`${where}: ${instruction.keyword} cannot be replayed`);
      }
    }
  }
  const stageResults = [...results.values()];
  const final = stageResults.at(-1) as StageResult;
  return { stages: stageResults, final, timings };
}

interface CopyContext {
  state: StageResult;
  results: Map<string, StageResult>;
  options: ReplayOptions;
  ignore: DockerIgnore;
  where: string;
}

/** COPY semantics: a folder's contents go into the destination; a file goes to it (or into it, with a trailing /). */
async function copyStep(from: string | undefined, { sources, dest }: { sources: string[]; dest: string }, context: CopyContext): Promise<void> {
  const { state, results, options, ignore, where } = context;
  const destination = resolveIn(state.workdir, dest);
  const intoFolder = dest.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    if (/[*?[]/.test(source)) throw new Error(`${where}: wildcards in COPY sources are not replayed`);
    let sourcePath: string;
    if (from !== undefined) {
      const origin = results.get(from);
      if (!origin) throw new Error(`${where}: COPY --from=${from} names no earlier stage`);
      sourcePath = inStage(origin.root, resolveIn(origin.workdir, source));
    } else {
      const relativeSource = posix.normalize(source).replace(/\/$/, '');
      if (relativeSource.startsWith('..')) throw new Error(`${where}: ${source} is outside the build context`);
      if (relativeSource !== '.' && ignore.ignores(relativeSource)) throw new Error(`${where}: ${source} is excluded by the dockerignore file (Docker would fail: not found)`);
      sourcePath = join(options.contextDir, relativeSource);
    }
    if (!existsSync(sourcePath)) throw new Error(`${where}: COPY source ${source} not found`);
    const isFolder = statSync(sourcePath).isDirectory();
    const target = inStage(state.root, isFolder || !intoFolder ? destination : posix.join(destination, basename(sourcePath)));
    mkdirSync(isFolder ? target : join(target, '..'), { recursive: true });
    if (from !== undefined) {
      // Between stages nothing is filtered, and node_modules is big: cp -a (its "/." copies the contents).
      await copyTree(isFolder ? `${sourcePath}/.` : sourcePath, target);
      continue;
    }
    cpSync(sourcePath, target, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (path) => {
        const rel = relative(options.contextDir, path).split(sep).join('/');
        return rel === '' || !ignore.ignores(rel) || (ignore.hasExceptions && statSync(path).isDirectory());
      },
    });
  }
}
