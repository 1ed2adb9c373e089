import type { GenerationEvent, GenerationRequest, Generator, GroundingSource } from './generator.js';
import { NO_USAGE } from './generator.js';
import { contentTerms, splitPassage } from './sentences.js';

/** An answer long enough to answer, short enough to read in the panel; the sources hold the rest. */
const MAX_ANSWER_WORDS = 110;
const MAX_SENTENCES = 4;
/** A sentence joins the answer only if it is at least this relevant compared with the best one. */
const RELATIVE_FLOOR = 0.45;
/** Questions that ask for something to type get the best source's first code block too. */
const WANTS_CODE = /\b(?:code|example|snippet|command|write|run|launch|create|configure|syntax|how do i|how to)\b/i;

interface Candidate {
  sourceIndex: number;
  position: number;
  text: string;
  terms: Set<string>;
  score: number;
}

/**
 * The default generator, needing no model or key: it answers with the course's own sentences —
 * those that share the most (and rarest) words with the question, from the best-ranked sources —
 * each followed by its citation, in reading order. It quotes; it never invents.
 */
export class ExtractiveGenerator implements Generator {
  readonly name = 'extractive';

  async *generate(request: GenerationRequest): AsyncIterable<GenerationEvent> {
    const chosen = chooseSentences(request.question, request.sources);
    let previousSource: number | undefined;
    for (const sentence of chosen) {
      if (request.signal.aborted) return;
      const source = request.sources[sentence.sourceIndex] as GroundingSource;
      const separator = previousSource === undefined ? '' : previousSource === sentence.sourceIndex ? ' ' : '\n\n';
      const lead = source.kind === 'selection' && previousSource !== sentence.sourceIndex ? 'Your selection says: ' : '';
      yield { type: 'delta', text: `${separator}${lead}${withCitation(sentence.text, source.id)}` };
      previousSource = sentence.sourceIndex;
    }
    const code = WANTS_CODE.test(request.question) ? firstCodeBlock(request.sources) : undefined;
    if (code) yield { type: 'delta', text: `\n\n${code.block}\n\n(Code from [${code.sourceId}].)` };
    yield { type: 'usage', usage: NO_USAGE };
  }
}

function chooseSentences(question: string, sources: readonly GroundingSource[]): Candidate[] {
  const questionTerms = new Set(contentTerms(question));
  const candidates = sources.flatMap((source, sourceIndex) =>
    splitPassage(source.text).sentences.map((text, position) => ({ sourceIndex, position, text, terms: new Set(contentTerms(text)), score: 0 })),
  );
  // Rarer words say more about what the question is after ("zmp" more than "robot").
  const documentFrequency = new Map<string, number>();
  for (const candidate of candidates) for (const term of candidate.terms) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  const weight = (term: string) => Math.log(1 + candidates.length / (documentFrequency.get(term) ?? candidates.length));
  const subject = definitionSubject(question);
  for (const candidate of candidates) {
    candidate.score = scoreSentence(candidate, questionTerms, weight, sources);
    // "What is X?" is best answered by the sentence that says "X is …".
    if (subject && subject.test(candidate.text)) candidate.score *= 1.6;
  }

  const ranked = [...candidates].sort((a, b) => b.score - a.score);
  const best = ranked[0];
  if (!best) return [];
  const chosen: Candidate[] = [];
  let words = 0;
  for (const candidate of ranked) {
    if (chosen.length === MAX_SENTENCES || candidate.score < best.score * RELATIVE_FLOOR) break;
    const length = candidate.text.split(/\s+/).length;
    if (chosen.length > 0 && words + length > MAX_ANSWER_WORDS) continue;
    if (chosen.some((other) => overlap(other.terms, candidate.terms) > 0.6)) continue;
    chosen.push(candidate);
    words += length;
  }
  // Reading order: by source as numbered, then as written — an answer, not a ranking.
  return chosen.sort((a, b) => a.sourceIndex - b.sourceIndex || a.position - b.position);
}

function scoreSentence(candidate: Candidate, questionTerms: Set<string>, weight: (term: string) => number, sources: readonly GroundingSource[]): number {
  let matched = 0;
  for (const term of questionTerms) if (candidate.terms.has(term)) matched += weight(term);
  const source = sources[candidate.sourceIndex] as GroundingSource;
  // Sources come ranked: earlier ones are likelier to hold the answer. A selection was chosen by the reader.
  const sourcePrior = source.kind === 'selection' ? 1.3 : 1 / (1 + 0.15 * candidate.sourceIndex);
  // The opening sentences of a section usually define its subject.
  const positionPrior = 1 + 0.25 / (1 + candidate.position);
  // Sentences that cannot stand alone: list introductions, fragments, run-ons.
  const length = candidate.text.split(/\s+/).length;
  const standalone = candidate.text.endsWith(':') || length < 5 ? 0.3 : length > 60 ? 0.6 : 1;
  // Even with no word in common, the best source's opening sentence is a fair answer to a paraphrase.
  const fallback = candidate.sourceIndex === 0 && candidate.position === 0 ? 0.5 : 0;
  return (matched + fallback) * sourcePrior * positionPrior * standalone;
}

/** For "what is/are X" questions, a pattern matching sentences that define X. */
function definitionSubject(question: string): RegExp | undefined {
  const match = /^\s*what(?:'s| is| are)\s+(?:an?\s+|the\s+)?(.+?)(?:\s+(?:file|format|in\s+.+))?\s*\??\s*$/i.exec(question);
  const subject = match?.[1]?.trim();
  if (!subject || subject.split(/\s+/).length > 5) return undefined;
  const escaped = subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|\\b)(?:an?\\s+|the\\s+)?${escaped}s?\\b[^.]{0,40}?\\b(?:is|are|means|describes)\\b`, 'i');
}

function overlap(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const term of a) if (b.has(term)) shared += 1;
  return shared / Math.min(a.size, b.size);
}

/** `A joint connects links.` → `A joint connects links [1].` (the marker sits inside the sentence). */
function withCitation(sentence: string, sourceId: number): string {
  const match = /^(.*?)([.!?]+["')\]]*)$/s.exec(sentence);
  return match ? `${match[1] ?? ''} [${sourceId}]${match[2] ?? ''}` : `${sentence} [${sourceId}]`;
}

function firstCodeBlock(sources: readonly GroundingSource[]): { block: string; sourceId: number } | undefined {
  for (const source of sources.slice(0, 2)) {
    if (source.kind !== 'course') continue;
    const [block] = splitPassage(source.text).codeBlocks;
    if (block && block.split('\n').length <= 30) return { block, sourceId: source.id };
  }
  return undefined;
}
