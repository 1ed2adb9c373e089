/**
 * A Dockerfile reader for the instructions deploy/Dockerfile uses: comments and parser directives,
 * `\` line continuations, FROM … AS, WORKDIR, ENV, COPY (--from/--chown/--link), RUN, USER, EXPOSE,
 * VOLUME, HEALTHCHECK and CMD, in shell or exec (JSON) form. Anything else is an error rather than
 * being silently skipped, so the tests never pass over an instruction they did not understand.
 */

export interface Instruction {
  keyword: string;
  /** Everything after the keyword and its `--flags`. */
  args: string;
  flags: Record<string, string>;
  /** 1-based line where the instruction starts. */
  line: number;
}

export interface Stage {
  index: number;
  name: string | undefined;
  /** The image or earlier stage this one starts from. */
  base: string;
  instructions: Instruction[];
}

export interface Healthcheck {
  options: Record<string, string>;
  /** Exec form: the argv Docker runs inside the container. */
  command: string[];
}

const SUPPORTED = new Set(['FROM', 'WORKDIR', 'ENV', 'COPY', 'RUN', 'USER', 'EXPOSE', 'VOLUME', 'HEALTHCHECK', 'CMD', 'LABEL']);
const FLAG_KEYWORDS = new Set(['FROM', 'COPY', 'RUN', 'HEALTHCHECK']);

/** Joins continuation lines and drops comments; returns logical lines with their start line. */
function logicalLines(text: string): { text: string; line: number }[] {
  const lines = text.split(/\r?\n/);
  const result: { text: string; line: number }[] = [];
  let current: { text: string; line: number } | undefined;
  lines.forEach((raw, index) => {
    if (/^\s*#/.test(raw)) return; // comments (and parser directives) may sit inside a continuation
    if (current === undefined && raw.trim() === '') return;
    const continues = /\\\s*$/.test(raw);
    const body = continues ? raw.replace(/\\\s*$/, '') : raw;
    if (current === undefined) current = { text: body.trim(), line: index + 1 };
    else current.text = `${current.text} ${body.trim()}`.trim();
    if (!continues) {
      result.push(current);
      current = undefined;
    }
  });
  if (current !== undefined) result.push(current);
  return result;
}

function splitFlags(rest: string): { flags: Record<string, string>; args: string } {
  const flags: Record<string, string> = {};
  let args = rest;
  for (;;) {
    const match = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(args);
    if (!match?.[1]) break;
    flags[match[1]] = match[2] ?? 'true';
    args = args.slice(match[0].length);
  }
  return { flags, args: args.trim() };
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const { text: lineText, line } of logicalLines(text)) {
    const match = /^(\S+)\s*(.*)$/.exec(lineText);
    const keyword = match?.[1]?.toUpperCase() ?? '';
    if (!SUPPORTED.has(keyword)) throw new Error(`Dockerfile line ${line}: ${keyword} is not supported by these tests`);
    const { flags, args } = FLAG_KEYWORDS.has(keyword) ? splitFlags(match?.[2] ?? '') : { flags: {}, args: match?.[2]?.trim() ?? '' };
    const instruction: Instruction = { keyword, args, flags, line };
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from?.[1]) throw new Error(`Dockerfile line ${line}: cannot read FROM ${args}`);
      stages.push({ index: stages.length, name: from[2], base: from[1], instructions: [instruction] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile line ${line}: ${keyword} before FROM`);
    stage.instructions.push(instruction);
  }
  if (stages.length === 0) throw new Error('Dockerfile has no FROM');
  return stages;
}

/** `["a", "b"]` (exec form) → argv; anything else (shell form) → undefined. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) throw new Error(`not an exec-form array: ${args}`);
  return parsed;
}

/** Shell form runs under `/bin/sh -c`, as Docker does on Linux. */
export function commandArgv(args: string): string[] {
  return execForm(args) ?? ['/bin/sh', '-c', args];
}

/** ENV key=value pairs (quotes and backslash escapes honoured), or the legacy `ENV key value`. */
export function parseEnv(args: string): Record<string, string> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+(.*)$/.exec(args);
    if (!legacy?.[1]) throw new Error(`cannot read ENV ${args}`);
    return { [legacy[1]]: legacy[2] ?? '' };
  }
  const env: Record<string, string> = {};
  const pair = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|(?:[^\s\\]|\\.)*)\s*/y;
  let offset = 0;
  while (offset < args.length) {
    pair.lastIndex = offset;
    const match = pair.exec(args);
    if (!match?.[1]) throw new Error(`cannot read ENV ${args} at "${args.slice(offset)}"`);
    const raw = match[2] ?? '';
    env[match[1]] = raw.startsWith("'") ? raw.slice(1, -1) : raw.replace(/^"|"$/g, '').replace(/\\(.)/g, '$1');
    offset = pair.lastIndex;
  }
  return env;
}

/** `COPY [--flags] src… dest` → sources and destination (exec form allowed). */
export function parseCopy(instruction: Instruction): { sources: string[]; dest: string } {
  const parts = execForm(instruction.args) ?? instruction.args.split(/\s+/);
  const dest = parts.at(-1);
  if (parts.length < 2 || dest === undefined) throw new Error(`Dockerfile line ${instruction.line}: COPY needs a source and a destination`);
  return { sources: parts.slice(0, -1), dest };
}

export function parseHealthcheck(instruction: Instruction): Healthcheck {
  const match = /^CMD\s+(.*)$/i.exec(instruction.args);
  if (!match?.[1]) throw new Error(`Dockerfile line ${instruction.line}: HEALTHCHECK must be HEALTHCHECK [options] CMD …`);
  return { options: instruction.flags, command: commandArgv(match[1]) };
}

/** The instructions of one kind in a stage. */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}
