import { stemmer } from 'stemmer';

/**
 * Words that carry no topic: question words, auxiliaries, pronouns. Kept short on purpose — a
 * technical word dropped here could never match (e.g. "joint", "state" must stay).
 */
const STOPWORDS = new Set(
  `a about above after again all also am an and any are as at be because been before being below between both but by can
  could did do does doing down during each either else ever every few for from further had has have having he her here hers
  him his how i if in into is it its itself just let like may me might more most much must my no nor not now of off on once
  only or other our out over own please same shall she should so some such than that the their them then there these they
  this those through to too under until up upon us very was we were what when where whether which while who whom whose why
  will with within without would you your yours one get got use used using want wants need needs make makes thing things
  way ways tell explain describe mean means work works happen happens really`.split(/\s+/),
);

/** The content words of a text, stemmed, for matching a question against sentences. */
export function contentTerms(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9][a-z0-9_+-]*/g) ?? []).filter((word) => !STOPWORDS.has(word) && word.length > 1).map((word) => stemmer(word));
}

/** Abbreviations whose period does not end a sentence. */
const ABBREVIATION = /\b(?:e\.g|i\.e|etc|vs|approx|fig|eq|cf|no|dr|mr|ms)\.$/i;

/** Sentences of one line of prose, not cut after abbreviations such as "e.g.". */
export function splitSentences(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  // A sentence may end inside quotes or brackets (say "Stop." Then …); there the next one must start
  // with a capital, so "Stop!" he said stays whole.
  const boundary = /[.!?](?:["'”’)\]]+(?=\s+["“'([]?[A-Z0-9])|(?=\s+\S))/g;
  for (let match = boundary.exec(text); match; match = boundary.exec(text)) {
    const end = match.index + match[0].length;
    const candidate = text.slice(start, end);
    if (ABBREVIATION.test(candidate)) continue;
    pieces.push(candidate.trim());
    start = end;
  }
  pieces.push(text.slice(start).trim());
  return pieces.filter((piece) => piece.length > 0);
}
