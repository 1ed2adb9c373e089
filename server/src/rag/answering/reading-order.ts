/**
 * The order an extractive answer reads in, and what a chosen sentence cannot go without: the
 * sentence before one that leans on it ("It …", "However, …").
 */
import type { PassageUnit } from './passage-units.js';

/** A sentence opening with one of these needs the sentence before it (or its heading) to make sense. */
export const DANGLING_START = /^(?:it|it's|its|this|that|these|those|they|their|them|such|he|she|both|each of (?:these|them)|the (?:latter|former)|here|there)\b/i;
/**
 * A sentence opening with a connective answers the sentence before it ("However, …", "Therefore,
 * …"): it may lead (what it says stands alone), but never without that sentence before it.
 */
const CONNECTIVE_START = /^(?:however|therefore|thus|hence|also|instead|otherwise|similarly|likewise|moreover|furthermore|in addition|as a result|in (?:this|that|such a) case|because of (?:this|that|these|those))\b/i;
/** Sentences brought back before one that leans on them ("It doesn't run your site. Therefore, …"). */
const MAX_ANTECEDENTS = 2;

/** A unit of one of the answer's sources. */
export interface PlacedUnit {
  sourceIndex: number;
  unit: PassageUnit;
}

export interface ChosenUnit extends PlacedUnit {
  /** Quote the section title first: the unit's "It"/"This" refers to it. */
  titlePrefix: boolean;
}

/** Shorter than this, a sentence inside a paragraph tells the outcome of the one before it ("The robot loses balance and falls."). */
const MIN_STANDALONE_WORDS = 8;

/** A sentence that leans on the one before it: opens with a pronoun or a connective, or is a short one inside a paragraph. */
function leansOnPrevious(unit: PassageUnit): boolean {
  if (unit.kind !== 'sentence') return false;
  const short = !unit.opensParagraph && unit.text.split(/\s+/).length < MIN_STANDALONE_WORDS;
  return short || DANGLING_START.test(unit.text) || CONNECTIVE_START.test(unit.text);
}

/**
 * A chosen "It is …" or "However, …" sentence brings the sentence before it, and that one its own
 * when it leans back too (up to MAX_ANTECEDENTS); at a section's start, its title.
 */
export function withAntecedents<T extends PlacedUnit>(chosen: readonly T[], usable: readonly T[]): ChosenUnit[] {
  const result: ChosenUnit[] = [];
  const has = (candidate: PlacedUnit) => result.some((entry) => entry.sourceIndex === candidate.sourceIndex && entry.unit === candidate.unit);
  for (const candidate of chosen) {
    const { unit } = candidate;
    if (leansOnPrevious(unit)) {
      if (unit.position === 0) {
        result.push({ sourceIndex: candidate.sourceIndex, unit, titlePrefix: true });
        continue;
      }
      for (const before of antecedentsOf(candidate, usable, (other) => chosen.includes(other) || has(other))) result.push({ sourceIndex: before.sourceIndex, unit: before.unit, titlePrefix: false });
    }
    if (!has(candidate)) result.push({ sourceIndex: candidate.sourceIndex, unit, titlePrefix: false });
  }
  return result;
}

/** The sentences a unit that leans back brings before it, in reading order: not those already `taken`. */
export function antecedentsOf<T extends PlacedUnit>(candidate: T, usable: readonly T[], taken: (other: T) => boolean): T[] {
  const antecedents: T[] = [];
  if (candidate.unit.position === 0) return antecedents;
  for (let leaning = candidate.unit; leansOnPrevious(leaning) && antecedents.length < MAX_ANTECEDENTS; ) {
    const { position, paragraph } = leaning;
    const before = usable.find((other) => other.sourceIndex === candidate.sourceIndex && other.unit.position === position - 1 && other.unit.paragraph === paragraph);
    if (!before || taken(before)) break;
    antecedents.unshift(before);
    leaning = before.unit;
  }
  return antecedents;
}

/**
 * The lead's source first, from the lead on (with what it refers to), then the other sources as
 * ranked, each in reading order: an answer, not a ranking.
 */
export function inAnswerOrder(units: readonly ChosenUnit[], lead: PlacedUnit): ChosenUnit[] {
  const readingOrder = (a: ChosenUnit, b: ChosenUnit) => a.sourceIndex - b.sourceIndex || a.unit.position - b.unit.position;
  // The sentence before the lead comes first only as the antecedent of a lead that leans on it.
  const positions = new Set(units.filter((entry) => entry.sourceIndex === lead.sourceIndex).map((entry) => entry.unit.position));
  let leadStart = lead.unit.position;
  if (leansOnPrevious(lead.unit)) while (leadStart > lead.unit.position - MAX_ANTECEDENTS && positions.has(leadStart - 1)) leadStart -= 1;
  const leadSource = units.filter((entry) => entry.sourceIndex === lead.sourceIndex).sort(readingOrder);
  const fromLead = leadSource.filter((entry) => entry.unit.position >= leadStart);
  const beforeLead = leadSource.filter((entry) => entry.unit.position < leadStart);
  const others = units.filter((entry) => entry.sourceIndex !== lead.sourceIndex).sort(readingOrder);
  return [...fromLead, ...others, ...beforeLead];
}
