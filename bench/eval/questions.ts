/**
 * Eval question files, JSON Lines in the format of `../shared/corpora/README.md`:
 * `{id, question, file, heading, answer_contains, answerable}`, plus two optional fields of ours:
 * `kind` (how the question is asked) and `follows` (the id of the question it follows in the same
 * conversation). The bundled course's older file (`{id, question, kind, expected}`) is read too.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from '@docent/ingest';
import { z } from 'zod';

const corpusFormat = z.object({
  id: z.string(),
  question: z.string().min(1),
  file: z.string().nullable(),
  heading: z.string().nullable(),
  answer_contains: z.string().nullable(),
  answerable: z.boolean(),
  kind: z.string().optional(),
  follows: z.string().nullable().optional(),
});

const bundledFormat = z.object({
  id: z.string(),
  question: z.string().min(1),
  kind: z.string(),
  expected: z.object({ doc_path: z.string(), heading: z.string() }).nullable(),
});

export interface EvalQuestion {
  id: string;
  question: string;
  kind: string;
  /** Where the answer is, or null when the corpus does not answer the question. */
  gold: { file: string; heading: string; answerContains: string | null } | null;
  /** The question asked just before this one in the same conversation. */
  follows: string | null;
}

export function readQuestions(path: string): EvalQuestion[] {
  const questions = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const value: unknown = JSON.parse(line);
      const corpus = corpusFormat.safeParse(value);
      if (corpus.success) return fromCorpusFormat(corpus.data);
      const bundled = bundledFormat.safeParse(value);
      if (bundled.success) return fromBundledFormat(bundled.data);
      throw new Error(`${path}:${index + 1}: not an eval question: ${corpus.error.message}`);
    });
  const ids = new Set<string>();
  for (const question of questions) {
    if (question.follows !== null && !ids.has(question.follows)) throw new Error(`${path}: ${question.id} follows ${question.follows}, which is not an earlier question`);
    if (ids.has(question.id)) throw new Error(`${path}: the id ${question.id} is used twice`);
    ids.add(question.id);
  }
  return questions;
}

function fromCorpusFormat(question: z.infer<typeof corpusFormat>): EvalQuestion {
  const gold = question.answerable && question.file !== null && question.heading !== null ? { file: question.file, heading: headingAsRead(question.heading, question.file), answerContains: question.answer_contains } : null;
  return { id: question.id, question: question.question, kind: question.kind ?? (question.answerable ? 'direct' : 'offcourse'), gold, follows: question.follows ?? null };
}

function fromBundledFormat(question: z.infer<typeof bundledFormat>): EvalQuestion {
  const gold = question.expected ? { file: question.expected.doc_path, heading: question.expected.heading, answerContains: null } : null;
  return { id: question.id, question: question.question, kind: question.expected ? question.kind : 'offcourse', gold, follows: null };
}

/**
 * A heading copied from its source line ("`onBrokenLinks`", "Wrapping your site with `<Root>`") as
 * the page shows it and the catalog stores it ("onBrokenLinks"): read by the ingest's own parser.
 */
function headingAsRead(sourceHeading: string, file: string): string {
  try {
    const [section] = parseDocument(`## ${sourceHeading}\n\n.\n`, file, { routeBase: '/' }).sections;
    return section?.headingPath[0] ?? sourceHeading;
  } catch {
    return sourceHeading;
  }
}

/** Whether a retrieved passage is the gold section (or inside it); a page's H1 is its introduction. */
export function isGoldSection(gold: NonNullable<EvalQuestion['gold']>, passage: { doc_path: string; heading: string; chapter: string }): boolean {
  if (passage.doc_path !== gold.file) return false;
  if (passage.heading === '') return passage.chapter === gold.heading;
  return passage.heading.split(' › ').includes(gold.heading);
}
