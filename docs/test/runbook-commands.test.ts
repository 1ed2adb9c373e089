/**
 * The operations docs stay true: every ```sh runnable block in docs/*.md runs with bash
 * (`set -euo pipefail`) against a real Docent, from the repository root, and must exit 0.
 * Blocks see the server's settings plus DOCENT_URL, DOCENT_ADMIN_TOKEN and DOCENT_LOG (see
 * docent-for-docs.ts). CONFIGURATION.md must name every variable config.ts reads, and every
 * relative link between the docs must resolve, anchors included.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES } from '../../server/src/config.js';
import { environmentWithout, startDocentForDocs, type DocentForDocs } from './docent-for-docs.js';
import { codeBlocks, headingAnchors, relativeLinks } from './markdown.js';

const DOCS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const REPO_ROOT = resolve(DOCS_DIR, '..');
const RUNNABLE = 'sh runnable';
const BLOCK_TIMEOUT_MS = 90_000;

const documents = readdirSync(DOCS_DIR)
  .filter((name) => name.endsWith('.md'))
  .sort()
  .map((name) => ({ name, text: readFileSync(join(DOCS_DIR, name), 'utf8') }));

interface RunnableBlock {
  file: string;
  line: number;
  code: string;
  title: string;
}

/**
 * `npm run smoke` ends by spending the chat rate limit of the address it runs from, for a minute;
 * blocks that run it go last so that no other block meets that limit.
 */
const spendsChatLimit = (block: RunnableBlock) => block.code.includes('npm run smoke');

const runnableBlocks: RunnableBlock[] = documents
  .flatMap(({ name, text }) =>
    codeBlocks(text)
      .filter((block) => block.info === RUNNABLE)
      .map((block) => ({ file: name, line: block.line, code: block.code, title: `${name}: ${block.code.split('\n')[0] ?? ''}` })),
  )
  .sort((a, b) => Number(spendsChatLimit(a)) - Number(spendsChatLimit(b)));

interface BashResult {
  exitCode: number | null;
  output: string;
}

/** Runs a block in its own process group, so a timeout also stops the commands it started. */
function runBash(code: string, env: Record<string, string>): Promise<BashResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn('bash', ['-c', `set -euo pipefail\n${code}`], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n[killed after ${BLOCK_TIMEOUT_MS / 1000} s]`;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, BLOCK_TIMEOUT_MS - 5_000);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolveResult({ exitCode, output });
    });
  });
}

describe('runnable command blocks in docs/*.md', () => {
  let docent: DocentForDocs | undefined;
  beforeAll(async () => {
    docent = await startDocentForDocs();
  }, 120_000);
  afterAll(() => docent?.close());

  it('there are runnable blocks to check', () => {
    expect(runnableBlocks.length).toBeGreaterThan(0);
  });

  for (const block of runnableBlocks) {
    it(
      block.title,
      async () => {
        if (!docent) throw new Error('Docent did not start');
        const result = await runBash(block.code, { ...environmentWithout(), ...docent.env });
        const report = `${block.file}:${block.line} exited ${String(result.exitCode)}\n--- block\n${block.code}\n--- output\n${result.output}`;
        expect(result.exitCode, report).toBe(0);
      },
      BLOCK_TIMEOUT_MS,
    );
  }
});

describe('docs/ stays consistent', () => {
  it('CONFIGURATION.md names every variable that server/src/config.ts reads', () => {
    const configuration = readFileSync(join(DOCS_DIR, 'CONFIGURATION.md'), 'utf8');
    const missing = ENVIRONMENT_VARIABLES.filter((variable) => !configuration.includes(`\`${variable}\``));
    expect(missing).toEqual([]);
  });

  it('every relative link resolves, anchors included', () => {
    const broken: string[] = [];
    for (const { name, text } of documents) {
      for (const target of relativeLinks(text)) {
        const [path = '', anchor] = target.split('#');
        const file = path === '' ? join(DOCS_DIR, name) : resolve(DOCS_DIR, path);
        if (!existsSync(file)) broken.push(`${name}: ${target} (no file ${relative(REPO_ROOT, file)})`);
        else if (anchor !== undefined && file.endsWith('.md') && !headingAnchors(readFileSync(file, 'utf8')).has(anchor)) {
          broken.push(`${name}: ${target} (no heading with anchor #${anchor})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
