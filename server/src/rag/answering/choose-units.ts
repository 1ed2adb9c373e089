/**
 * Which units of the sources an extractive answer quotes, and in what order: scored against the
 * question (shared rare words, what kind of answer it asks for, where the unit sits), led by the
 * best, followed by supporting units in reading order, within a length budget.
 */
import { contentTerms } from '../text/sentences.js';
import type { GroundingSource } from './generator.js';
import type { Passage, PassageUnit } from './passage-units.js';
import type { QuestionIntent } from './question-intent.js';
import { DANGLING_START, antecedentsOf, inAnswerOrder, withAntecedents, type ChosenUnit } from './reading-order.js';
import type { UnitCloseness } from './sentence-closeness.js';

/** An answer long enough to answer, short enough to read in the panel; the sources hold the rest. */
const MAX_ANSWER_WORDS = 120;
/** A list longer than this many words weighs less than a sentence matching as much (see scoreUnit). */
const LIST_WORDS_AT_FULL_WEIGHT = 30;
/**
 * A table row names its column headings, so it shares words ("type", "default") with many
 * questions; it leads only when it matches clearly better than the prose around it.
 */
const TABLE_ROW_WEIGHT = 0.8;
/** How much less each later-ranked source weighs: retrieval saw the whole passage, a unit is a few words. */
const SOURCE_RANK_DISCOUNT = 0.35;
/** Content terms a course passage must share with a selection to explain it. */
const MIN_TERMS_SHARED_WITH_SELECTION = 2;
/** Sentences in an answer (a list counts as two). */
const MAX_SENTENCES = 5;
/** A unit joins the answer only if it is at least this relevant compared with the best one. */
const RELATIVE_FLOOR = 0.45;
/** Sections that ask the reader something (exercises, quizzes) are not answers. */
const EXERCISE_SECTION = /\b(?:exercises?|quiz(?:zes)?|(?:review|quiz|practice|discussion|comprehension|self-assessment) questions|assessments?|self-check|check your understanding|knowledge check|try it yourself|homework|assignments?|lab tasks?)\b/i;
/**
 * The sentence model's say: a unit gains this much per unit of cosine similarity above a baseline
 * taken from the answer's own units (the (CLOSE_UNITS+1)-th closest, or the median of fewer), so
 * only the closest few gain and the rule holds for any embedder's scale. At 40, a unit 0.1 closer
 * than the baseline counts about as much as one rare word shared with the question. On the eval's
 * third-party corpora the share of answers holding the fact went 0.41 → 0.46 at 20, 0.50 at 40,
 * 0.49 at 60 and 100.
 */
const SENTENCE_MODEL_WEIGHT = 40;
const CLOSE_UNITS = 10;
/** Words a vague selection question is made of ("explain this in simpler terms"): they say how, not what. */
const SELECTION_VERBS = new Set(contentTerms('explain clarify simplify simpler simple terms example examples elaborate detail details summarize summary rephrase plain english understand meaning passage selection paragraph text part show give'));

interface Candidate {
  sourceIndex: number;
  unit: PassageUnit;
  terms: Set<string>;
  words: number;
  /** From shared words alone: picks the lead (the model is too loose to pick it, see chooseFrom). */
  lexical: number;
  /** Shared words and the sentence model's closeness: picks what supports the lead. */
  score: number;
}

export interface ChoiceInput {
  question: string;
  intent: QuestionIntent;
  sources: readonly GroundingSource[];
  passages: readonly Passage[];
  /** The sentence model's closeness of each unit to the question, when one scored them. */
  closeness?: UnitCloseness | undefined;
}

export function chooseUnits(input: ChoiceInput): ChosenUnit[] {
  if (isVagueSelectionQuestion(input)) return explainSelection(input);
  return chooseFrom(input, false);
}

/**
 * "Explain this" about a selection: its opening sentence says what it is about, then the course
 * passages that speak of the same things explain it (not the selection read back). With no
 * course passage close to it, the selection is quoted.
 */
function explainSelection(input: ChoiceInput): ChosenUnit[] {
  const selectionIndex = input.sources.findIndex((source) => source.kind === 'selection');
  const selectionUnits = (input.passages[selectionIndex]?.units ?? []).filter((unit) => !unit.unquotable);
  const fromCourse = chooseFrom(input, true);
  const [opening] = selectionUnits;
  if (opening === undefined) return fromCourse;
  if (fromCourse.length === 0) return selectionUnits.slice(0, 3).map((unit) => ({ sourceIndex: selectionIndex, unit, titlePrefix: false }));
  return [{ sourceIndex: selectionIndex, unit: opening, titlePrefix: false }, ...fromCourse.slice(0, MAX_SENTENCES - 1)];
}

function chooseFrom(input: ChoiceInput, aboutSelection: boolean): ChosenUnit[] {
  const { sources, passages } = input;
  const selectionTerms = aboutSelection ? new Set(contentTerms(sources[0]?.text ?? '')) : undefined;
  // A vague question about a selection ("explain this") is answered from the course passages about
  // the selection's subject, not by reading the selection back.
  const questionTerms = new Set(aboutSelection ? [...(selectionTerms ?? [])] : contentTerms(input.question));
  const candidates: Candidate[] = [];
  sources.forEach((source, sourceIndex) => {
    if (aboutSelection && source.kind === 'selection') return;
    if (source.kind === 'course' && EXERCISE_SECTION.test(source.title)) return;
    for (const unit of passages[sourceIndex]?.units ?? []) {
      if (unit.unquotable || (unit.announcesCode === true && !input.intent.wantsCode)) continue;
      const text = [unit.text, ...unit.items].join(' ');
      // A section's first sentence is about its title ("## Shut-off head" / "It's the pressure…").
      const context = unit.position === 0 && source.kind === 'course' && unit.tableRow !== true ? contentTerms(source.title) : [];
      candidates.push({ sourceIndex, unit, terms: new Set([...contentTerms(text), ...context]), words: text.split(/\s+/).length, lexical: 0, score: 0 });
    }
  });
  const echoesSelection = (candidate: Candidate) => selectionTerms !== undefined && overlap(candidate.terms, selectionTerms) > 0.8 && candidate.terms.size > 4;
  // A course passage explains a selection only if it speaks of at least two of the same things.
  const aboutOtherThings = (candidate: Candidate) => selectionTerms !== undefined && sharedCount(candidate.terms, selectionTerms) < MIN_TERMS_SHARED_WITH_SELECTION;
  const usable = candidates.filter((candidate) => !echoesSelection(candidate) && !aboutOtherThings(candidate));

  // Rarer words say more about what the question is after ("zmp" more than "robot").
  const documentFrequency = new Map<string, number>();
  for (const candidate of usable) for (const term of candidate.terms) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  const weight = (term: string) => Math.log(1 + usable.length / (documentFrequency.get(term) ?? usable.length));
  // "Explain this" is no question to compare sentences with: the selection's words stand for it.
  const closenessBonus = aboutSelection ? () => 0 : closenessBonusOf(input.closeness);
  for (const candidate of usable) Object.assign(candidate, scoreUnit(candidate, questionTerms, weight, input, closenessBonus(candidate.unit)));

  const ranked = [...usable].sort((a, b) => b.score - a.score);
  // The lead is the unit sharing the question's rare words, when one does: the model's closest
  // sentence is often on the subject without answering it ("a single page" for "the whole site"),
  // and a wrong lead misleads where a loose supporting sentence only adds a little.
  const byWords = usable.reduce<Candidate | undefined>((best, candidate) => (best === undefined || candidate.lexical > best.lexical ? candidate : best), undefined);
  const lead = byWords !== undefined && byWords.lexical > 0 ? byWords : ranked[0];
  if (!lead || lead.score <= 0) return [];
  const chosen: Candidate[] = [];
  let words = 0;
  let sentences = 0;
  // A unit costs what it brings back with it too (see withAntecedents).
  const costOf = (candidate: Candidate) => {
    const broughtBack = antecedentsOf(candidate, usable, (other) => chosen.includes(other));
    return {
      words: [candidate, ...broughtBack].reduce((sum, unit) => sum + Math.min(unit.words, 90), 0),
      sentences: (candidate.unit.kind === 'list' ? 2 : 1) + broughtBack.length,
    };
  };
  const take = (candidate: Candidate, cost = costOf(candidate)) => {
    words += cost.words;
    sentences += cost.sentences;
    chosen.push(candidate);
  };
  take(lead);
  // Measured against the lead's shared-word evidence: the model's bonus lifts a loose sentence
  // over the floor, never a lead so high that what shares the question's words falls under it.
  const floor = (lead.lexical > 0 ? lead.lexical : lead.score) * RELATIVE_FLOOR;
  // The course often states the situation in one sentence and what happens in the next ("You may
  // create two pages on one route." / "The one created last wins."): the lead comes with the
  // sentence that continues it, as written, whatever words that one shares with the question.
  const continuation = usable.find((candidate) => continues(candidate, lead));
  if (continuation !== undefined && continuation.words + words <= MAX_ANSWER_WORDS) take(continuation);
  for (const candidate of ranked) {
    if (chosen.includes(candidate)) continue;
    if (sentences >= MAX_SENTENCES || candidate.score < floor) break;
    const cost = costOf(candidate);
    if (words + cost.words > MAX_ANSWER_WORDS || sentences + cost.sentences > MAX_SENTENCES) continue;
    if (chosen.some((other) => repeats(other, candidate))) continue;
    take(candidate, cost);
  }
  return inAnswerOrder(withAntecedents(chosen, usable), lead);
}

/** The next sentence of the lead's paragraph, when the lead is a sentence that does not end its paragraph. */
function continues(candidate: Candidate, lead: Candidate): boolean {
  const { unit } = candidate;
  return (
    lead.unit.kind === 'sentence' &&
    candidate.sourceIndex === lead.sourceIndex &&
    unit.kind === 'sentence' &&
    unit.position === lead.unit.position + 1 &&
    unit.paragraph === lead.unit.paragraph
  );
}

/** The sentence model's bonus for each unit (see SENTENCE_MODEL_WEIGHT); none without a model. */
function closenessBonusOf(closeness: UnitCloseness | undefined): (unit: PassageUnit) => number {
  if (closeness === undefined || closeness.size === 0) return () => 0;
  const sorted = [...closeness.values()].sort((a, b) => b - a);
  const baseline = sorted[Math.min(CLOSE_UNITS, Math.floor(sorted.length / 2))] ?? 0;
  return (unit) => SENTENCE_MODEL_WEIGHT * Math.max(0, (closeness.get(unit) ?? baseline) - baseline);
}

function scoreUnit(candidate: Candidate, questionTerms: ReadonlySet<string>, weight: (term: string) => number, input: ChoiceInput, closenessBonus: number): { lexical: number; score: number } {
  let matched = 0;
  for (const term of questionTerms) if (candidate.terms.has(term)) matched += weight(term);
  const source = input.sources[candidate.sourceIndex] as GroundingSource;
  const { unit } = candidate;
  // Sources come ranked: earlier ones are likelier to hold the answer. A selection was chosen by the reader.
  const sourcePrior = source.kind === 'selection' ? 1.3 : 1 / (1 + SOURCE_RANK_DISCOUNT * candidate.sourceIndex);
  // The opening sentences of a section usually state its subject.
  const positionPrior = 1 + 0.25 / (1 + unit.position);
  // Fragments and run-ons read badly alone. A list holds many words, so it would match many
  // questions a little: it weighs by length (a list is read as a whole), more so without a
  // sentence introducing it (a bare list of fragments says little on its own).
  const standalone =
    unit.kind === 'list'
      ? (unit.text === '' ? 0.7 : 1) / Math.sqrt(Math.max(1, candidate.words / LIST_WORDS_AT_FULL_WEIGHT))
      : unit.tableRow === true
        ? TABLE_ROW_WEIGHT
        : candidate.words < 5
          ? 0.3
          : candidate.words > 60
            ? 0.6
            : 1;
  // Even with no word in common, the best source's opening sentence is a fair answer to a paraphrase.
  const fallback = matched === 0 && candidate.sourceIndex === 0 && unit.position === 0 ? 0.5 : 0;
  // A sentence that leans on one before it is a weaker lead than one that stands alone.
  const dangling = unit.kind === 'sentence' && DANGLING_START.test(unit.text) ? 0.85 : 1;
  const priors = sourcePrior * positionPrior * standalone * dangling * intentFit(candidate, input.intent);
  return { lexical: (matched + fallback) * priors, score: (matched + fallback + closenessBonus) * priors };
}

/** How well a unit is the kind of answer the question asks for. */
function intentFit(candidate: Candidate, intent: QuestionIntent): number {
  const text = [candidate.unit.text, ...candidate.unit.items].join(' ');
  switch (intent.kind) {
    case 'definition': {
      const namesSubject = intent.subject.length > 0 && intent.subject.every((term) => candidate.terms.has(term));
      const defines = /\b(?:is|are|(?:it|this|that)'s|refers to|means|describes|stands for|is called|are called|lets|allows)\b/i.test(text);
      return namesSubject && defines ? 1.8 : namesSubject ? 1.2 : 1;
    }
    case 'quantity':
      return /\d/.test(text) ? 1.5 : 1;
    case 'howto':
      return candidate.unit.kind === 'list' ? 1.4 : /^(?:to\s|run|add|create|use|set|install|open|call|write|define|configure|import|launch|start|enable|put|pass|click|select)\b/i.test(text) ? 1.3 : 1;
    case 'reason':
      return /\b(?:because|so that|since|therefore|in order to|to avoid|to prevent|which (?:lets|allows|means|makes)|this (?:means|lets|allows|makes))\b/i.test(text) ? 1.5 : 1;
    case 'comparison': {
      if (!intent.compared) return 1;
      const [left, right] = intent.compared;
      const hasLeft = left.some((term) => candidate.terms.has(term));
      const hasRight = right.some((term) => candidate.terms.has(term));
      const contrasts = /\b(?:while|whereas|unlike|but|instead|however|than|rather|on the other hand)\b/i.test(text);
      return hasLeft && hasRight ? (contrasts ? 2 : 1.7) : (hasLeft || hasRight) && contrasts ? 1.3 : 1;
    }
    default:
      return 1;
  }
}


/** "Explain this" about a selection: answered from the selection's words, so no sentence model is needed. */
export function isVagueSelectionQuestion({ question, sources }: Pick<ChoiceInput, 'question' | 'sources'>): boolean {
  if (sources[0]?.kind !== 'selection') return false;
  return contentTerms(question).filter((term) => !SELECTION_VERBS.has(term)).length === 0;
}

/** Says much the same as a unit already chosen. Rows of one table share their column names, not their say. */
function repeats(chosen: Candidate, candidate: Candidate): boolean {
  if (chosen.unit.tableRow === true && candidate.unit.tableRow === true) return false;
  return overlap(chosen.terms, candidate.terms) > 0.6;
}

function sharedCount(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const term of a) if (b.has(term)) shared += 1;
  return shared;
}

function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  return sharedCount(a, b) / Math.min(a.size, b.size);
}
