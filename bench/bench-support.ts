/** What the benchmarks share: the eval questions, percentiles, and servers in their own process. */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const evalQuestionSchema = z.object({
  id: z.string(),
  question: z.string(),
  kind: z.enum(['direct', 'paraphrase', 'unanswerable']),
  expected: z.object({ doc_path: z.string(), heading: z.string() }).nullable(),
});
export type EvalQuestion = z.infer<typeof evalQuestionSchema>;

/** `course/eval/questions.jsonl`, parsed: the questions every benchmark asks. */
export const EVAL_QUESTIONS: EvalQuestion[] = readFileSync(fileURLToPath(new URL('../course/eval/questions.jsonl', import.meta.url)), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => evalQuestionSchema.parse(JSON.parse(line)));

/** The value below which `fraction` of the values fall (nearest rank), rounded to `decimals`. */
export function percentile(values: readonly number[], fraction: number, decimals = 2): number {
  const sorted = [...values].sort((a, b) => a - b);
  const scale = 10 ** decimals;
  return Math.round((sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? 0) * scale) / scale;
}

/** bench/README.md, whose generated sections benches rewrite. */
export const BENCH_README = fileURLToPath(new URL('./README.md', import.meta.url));

/** Replaces what lies between `<!-- name:start -->` and `<!-- name:end -->` in bench/README.md. */
export function rewriteReadmeSection(name: string, content: string): void {
  const readme = readFileSync(BENCH_README, 'utf8');
  const [startMarker, endMarker] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
  const start = readme.indexOf(startMarker);
  const end = readme.indexOf(endMarker);
  if (start === -1 || end < start) throw new Error(`${BENCH_README} lacks the ${startMarker} … ${endMarker} section`);
  writeFileSync(BENCH_README, `${readme.slice(0, start + startMarker.length)}\n${content}\n${readme.slice(end)}`);
}

/**
 * Starts a server script (`bench/*-target.ts`) in its own process, so it does not share a core with
 * the load generator, and waits for the `LISTENING <port>` line it prints on stderr. Its stdout
 * (the app's logs) goes to /dev/null.
 */
export async function startTargetProcess(script: string, args: readonly string[]): Promise<{ port: number; pid: number; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      const match = /LISTENING (\d+)/.exec(chunk.toString());
      if (match?.[1]) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`${script} ${args.join(' ')} exited early with code ${code}`)));
  });
  return { port, pid: child.pid ?? 0, stop: () => child.kill('SIGTERM') };
}

/** One chat over SSE: milliseconds to the first delta and to the end of the stream. */
export async function chatOnce(url: string, message: string): Promise<{ firstDeltaMs: number; totalMs: number; ok: boolean }> {
  const started = performance.now();
  const response = await fetch(`${url}/api/v1/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ message }),
  });
  let firstDeltaMs = Number.NaN;
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    text += decoder.decode(chunk, { stream: true });
    if (Number.isNaN(firstDeltaMs) && text.includes('event: delta')) firstDeltaMs = performance.now() - started;
  }
  return { firstDeltaMs, totalMs: performance.now() - started, ok: response.status === 200 && text.includes('event: done') };
}
