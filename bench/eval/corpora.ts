/**
 * Which corpora `npm run eval` measures. By default the bundled course plus the third-party corpora
 * in `../shared/corpora` (read in place, never copied into the repository). `--corpora <dir>`
 * points at another folder of corpora, and `--corpus name=<docs dir>:<questions.jsonl>` adds any
 * site with its own questions (a held-out set, for instance); `--only name,name` narrows the run.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RouteOptions } from '@docent/ingest';
import { BUNDLED_COURSE_DIR, BUNDLED_COURSE_ROUTES, DOCS_ROUTE_BASE } from '../../server/src/knowledge/bundled-course.js';

export interface EvalCorpus {
  name: string;
  docsDir: string;
  questionsFile: string;
  routes: RouteOptions;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const THIRD_PARTY = ['robotics-textbook', 'docusaurus-docs'];

export function chooseCorpora(argv: readonly string[]): EvalCorpus[] {
  const option = (name: string) => {
    const index = argv.indexOf(name);
    return index === -1 ? undefined : argv[index + 1];
  };
  const corporaDir = resolve(option('--corpora') ?? join(REPO_ROOT, '../shared/corpora'));
  const corpora: EvalCorpus[] = [{ name: 'bundled-course', docsDir: BUNDLED_COURSE_DIR, questionsFile: join(REPO_ROOT, 'course/eval/questions.jsonl'), routes: BUNDLED_COURSE_ROUTES }];
  for (const name of THIRD_PARTY) {
    const docsDir = join(corporaDir, name, 'docs');
    if (!existsSync(docsDir)) {
      console.warn(`Skipping ${name}: ${docsDir} does not exist (pass --corpora <dir> to point at the corpora).`);
      continue;
    }
    corpora.push({ name, docsDir, questionsFile: join(REPO_ROOT, 'eval', name, 'questions.jsonl'), routes: { routeBase: DOCS_ROUTE_BASE } });
  }
  argv.forEach((arg, index) => {
    if (arg !== '--corpus') return;
    const match = /^([\w-]+)=(.+):([^:]+\.jsonl)$/.exec(argv[index + 1] ?? '');
    if (!match) throw new Error('--corpus takes name=<docs dir>:<questions.jsonl>');
    corpora.push({ name: match[1] as string, docsDir: resolve(match[2] as string), questionsFile: resolve(match[3] as string), routes: { routeBase: DOCS_ROUTE_BASE } });
  });
  const only = option('--only')?.split(',');
  return only ? corpora.filter((corpus) => only.includes(corpus.name)) : corpora;
}
