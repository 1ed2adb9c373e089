import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { chunkDocument, estimateTokens } from '../src/chunk-document.js';
import { listDocuments } from '../src/collect-chunks.js';
import { parseDocument } from '../src/parse-document.js';

const COURSE_DIR = fileURLToPath(new URL('../../course/docs', import.meta.url));
const QUESTIONS_FILE = fileURLToPath(new URL('../../course/eval/questions.jsonl', import.meta.url));

const files = await listDocuments(COURSE_DIR);
const sources = new Map(files.map((file) => [file, readFileSync(`${COURSE_DIR}/${file}`, 'utf8')]));
const documents = files.map((file) => parseDocument(sources.get(file) ?? '', file, { routeBase: '/docs', trailingSlash: false }));

describe('the bundled course', () => {
  it('has at least 4 modules and 12 chapters, each with a title and sidebar position', () => {
    expect(new Set(files.map((file) => file.split('/')[0])).size).toBeGreaterThanOrEqual(4);
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const document of documents) {
      expect(document.frontMatter.title, document.docPath).toEqual(expect.any(String));
      expect(document.frontMatter.sidebar_position, document.docPath).toEqual(expect.any(Number));
    }
  });

  it('teaches at least 15,000 words', () => {
    const words = documents.flatMap((document) => document.sections.flatMap((section) => section.blocks)).join(' ').split(/\s+/).length;
    expect(words).toBeGreaterThanOrEqual(15_000);
  });

  it('exercises the parser: code blocks, tables, admonitions, MDX imports and JSX', () => {
    const all = [...sources.values()].join('\n');
    expect(all).toMatch(/^```python$/m);
    expect(all).toMatch(/^\|.*\|$/m);
    expect(all).toMatch(/^:::(tip|note|warning|danger)/m);
    const mdx = [...sources].filter(([file]) => file.endsWith('.mdx')).map(([, source]) => source).join('\n');
    expect(mdx).toMatch(/^import \w+ from '@theme\/\w+';$/m);
    expect(mdx).toMatch(/<Tabs>/);
  });

  it('chunks into passages of at most 400 tokens, none across chapters', () => {
    const chunks = documents.flatMap((document) => chunkDocument(document));
    expect(chunks.length).toBeGreaterThan(100);
    for (const chunk of chunks) {
      expect(estimateTokens(chunk.text)).toBeLessThanOrEqual(400);
      expect(chunk.url.startsWith(documents.find((document) => document.docPath === chunk.doc_path)?.route ?? '?')).toBe(true);
    }
  });
});

describe('the retrieval eval questions', () => {
  const questionSchema = z.object({
    id: z.string(),
    question: z.string().min(10),
    kind: z.enum(['direct', 'paraphrase', 'unanswerable']),
    expected: z.object({ doc_path: z.string(), heading: z.string() }).nullable(),
  });
  const questions = readFileSync(QUESTIONS_FILE, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => questionSchema.parse(JSON.parse(line)));

  it('has at least 60 questions with unique ids, paraphrased and unanswerable ones included', () => {
    expect(questions.length).toBeGreaterThanOrEqual(60);
    expect(new Set(questions.map((question) => question.id)).size).toBe(questions.length);
    expect(questions.filter((question) => question.kind === 'paraphrase').length).toBeGreaterThanOrEqual(10);
    expect(questions.filter((question) => question.kind === 'unanswerable' && question.expected === null).length).toBeGreaterThanOrEqual(4);
  });

  it('expects only headings that exist in the expected document', () => {
    for (const question of questions) {
      if (!question.expected) continue;
      const { doc_path, heading } = question.expected;
      const document = documents.find((candidate) => candidate.docPath === doc_path);
      expect(document, `${question.id}: ${doc_path}`).toBeDefined();
      const headings = new Set(document?.sections.flatMap((section) => section.headingPath));
      expect(headings.has(heading), `${question.id}: "${heading}" in ${doc_path}`).toBe(true);
    }
  });
});
