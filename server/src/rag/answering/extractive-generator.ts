import type { GenerationEvent, GenerationRequest, Generator, GroundingSource } from './generator.js';
import { NO_USAGE } from './generator.js';
import { readPassage, type PassageUnit } from './passage-units.js';
import { readIntent, type QuestionIntent } from './question-intent.js';
import { chooseUnits, isVagueSelectionQuestion } from './choose-units.js';
import type { ChosenUnit } from './reading-order.js';
import { SentenceScorer, type UnitCloseness } from './sentence-closeness.js';
import type { Embedder } from '../../embed/embedder.js';

/**
 * The default generator, needing no model or key: it answers with the course's own words. It leads
 * with the unit that best answers the question — the definition for "what is", the sentence with
 * the number for "how many", the steps or list for "how do I", both sides for a comparison — then
 * adds a few supporting sentences in reading order, each followed by its citation. Lists are
 * quoted whole with the sentence introducing them; questions, exercise prompts and template text
 * are never quoted; a sentence that opens with "It"/"This" comes with what it refers to. It
 * quotes; it never invents. Given a sentence model, the sentences closest in meaning to the
 * question count too (see sentence-closeness.ts).
 */
export class ExtractiveGenerator implements Generator {
  readonly name = 'extractive';

  private readonly scorer: SentenceScorer | undefined;

  constructor(embedders?: { questions: Embedder; sentences: Embedder }) {
    this.scorer = embedders && new SentenceScorer(embedders);
  }

  async *generate(request: GenerationRequest): AsyncIterable<GenerationEvent> {
    const intent = readIntent(request.question);
    const passages = request.sources.map((source) => readPassage(source.text));
    const choose = (closeness?: UnitCloseness) => chooseUnits({ question: request.question, intent, sources: request.sources, passages, closeness });
    // The lead is chosen by shared words alone, so it is sent at once; the sentence model (a few
    // hundred milliseconds when the passages' sentences are not cached) then picks what supports it.
    const byWords = choose();
    const [lead] = byWords;
    const chosen: ChosenUnit[] = [];
    if (lead !== undefined) {
      chosen.push(lead);
      yield { type: 'delta', text: render(lead, request.sources[lead.sourceIndex] as GroundingSource, undefined) };
    }
    const closeness = isVagueSelectionQuestion(request) ? undefined : await this.scorer?.closeness(request.question, request.sources, passages, request.signal);
    const rest = closeness !== undefined || lead === undefined ? choose(closeness).filter((unit) => !sameUnit(unit, lead)) : byWords.slice(1);
    if (lead === undefined && rest.length === 0 && request.sources.length > 0) {
      // Close passages, but no sentence of them that can be quoted as an answer: point at them.
      yield { type: 'delta', text: `No sentence of the course answers this directly; the closest sections are ${request.sources.map((source) => `[${source.id}]`).join(', ')}.` };
    }
    for (const unit of rest) {
      if (request.signal.aborted) return;
      const source = request.sources[unit.sourceIndex] as GroundingSource;
      yield { type: 'delta', text: `${separatorBetween(chosen.at(-1), unit)}${render(unit, source, chosen.at(-1))}` };
      chosen.push(unit);
    }
    const code = wantsCodeBlock(intent, chosen) ? firstCodeBlock(request.sources, passages, chosen) : undefined;
    if (code) yield { type: 'delta', text: `\n\n${code.block}\n\n(Code from [${code.sourceId}].)` };
    yield { type: 'usage', usage: NO_USAGE };
  }
}

function sameUnit(a: ChosenUnit, b: ChosenUnit | undefined): boolean {
  return b !== undefined && a.sourceIndex === b.sourceIndex && a.unit === b.unit;
}

function separatorBetween(previous: ChosenUnit | undefined, next: ChosenUnit): string {
  if (previous === undefined) return '';
  const sameParagraph = previous.sourceIndex === next.sourceIndex && previous.unit.paragraph === next.unit.paragraph;
  return sameParagraph && previous.unit.kind === 'sentence' && next.unit.kind === 'sentence' ? ' ' : '\n\n';
}

function render({ unit, titlePrefix, sourceIndex }: ChosenUnit, source: GroundingSource, previous: ChosenUnit | undefined): string {
  // The reader's own selection is announced as such, so it never reads as the course's words.
  const quotesSelection = source.kind === 'selection' && previous?.sourceIndex !== sourceIndex;
  const prefix = quotesSelection ? 'Your selection says: ' : titlePrefix ? `${source.title}: ` : '';
  // A sentence announcing code ends in a colon; the code, when shown, comes after the answer.
  if (unit.kind === 'sentence') return `${prefix}${withCitation(unit.text.replace(/:$/, '.'), source.id)}`;
  const items = unit.items.map((item) => `- ${item}`).join('\n');
  if (unit.text === '') return `${items} [${source.id}]`;
  return `${prefix}${unit.text.replace(/:\s*$/, '')} [${source.id}]:\n\n${items}`;
}

/**
 * `A joint connects links.` → `A joint connects links [1].`: the marker sits before the full stop.
 * A sentence that ends in an ellipsis, or inside quotes or brackets, keeps its ending whole and the
 * marker follows it (`say "Stop."` → `say "Stop." [1]`, never `say "Stop [1]."`).
 */
function withCitation(sentence: string, sourceId: number): string {
  // "…line breaks.." is a link's own full stop before the sentence's ("[…breaks.](url)."): one stop.
  const text = sentence.replace(/(?<!\.)\.\.$/, '.');
  const match = /^(.*[^.!?:;])([.!?:;])$/s.exec(text);
  return match ? `${match[1] ?? ''} [${sourceId}]${match[2] ?? ''}` : `${text} [${sourceId}]`;
}

/** Code only when the question asks to do or see something, and never for a definition or a reason. */
function wantsCodeBlock(intent: QuestionIntent, chosen: readonly ChosenUnit[]): boolean {
  return intent.wantsCode && intent.kind !== 'definition' && intent.kind !== 'reason' && chosen.length > 0;
}

/** The first short code block of a source the answer already quotes (the best-ranked first). */
function firstCodeBlock(sources: readonly GroundingSource[], passages: readonly { codeBlocks: string[] }[], chosen: readonly ChosenUnit[]): { block: string; sourceId: number } | undefined {
  const quoted = [...new Set(chosen.map((unit) => unit.sourceIndex))].sort((a, b) => a - b);
  for (const index of quoted) {
    const source = sources[index];
    if (source?.kind !== 'course') continue;
    const [block] = passages[index]?.codeBlocks ?? [];
    if (block && block.split('\n').length <= 30) return { block, sourceId: source.id };
  }
  return undefined;
}

export type { PassageUnit };
