import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER_ROOT = fileURLToPath(new URL('../..', import.meta.url));


export interface ServerProcess {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves with the listening address once the server logs it. */
  listening: Promise<string>;
  /** Resolves when the output matches; rejects if the process exits first. */
  waitForOutput(pattern: RegExp): Promise<void>;
}

/** Starts the real server (`src/main.ts`) as a child process with exactly the given environment. */
export function spawnServer(env: Record<string, string>): ServerProcess {
  // One process (no tsx wrapper), so signals, including SIGKILL, reach the server itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Docent is listening on (http:\/\/[^\s)]+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`server exited with code ${code} before listening:\n${output}`)));
  });
  listening.catch(() => undefined);
  const waitForOutput = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (pattern.test(output)) resolve();
      };
      check();
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      void exited.then((code) => reject(new Error(`server exited with code ${code} before printing ${pattern}:\n${output}`)));
    });
  return { child, output: () => output, exited, listening, waitForOutput };
}
