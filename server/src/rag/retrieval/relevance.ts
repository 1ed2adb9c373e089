import type { ChunkCatalog } from '../../stores/chunk-catalog.js';
import { isUncommonInEnglish } from '../text/english-frequency.js';
import type { Closeness } from './retrieve.js';

/**
 * When is a question "covered by the course"? Three kinds of evidence, calibrated together on
 * three corpora with `npm run eval` (the bundled course and two third-party sites; see
 * bench/README.md):
 *
 * - how close the course comes: the best cosine similarity from dense search plus the best share
 *   of the question's term weight found in one passage (see Closeness in retrieve.ts);
 * - what the question names that the course never mentions: a word that no passage uses and that
 *   is not everyday English ("sourdough", "quadcopter", "GDPR") is a topic the course lacks,
 *   however close the rest of the question comes. Everyday words readers paraphrase with
 *   ("somewhere", "bunch") do not count;
 * - an exact name the question copies from somewhere (an environment variable, a setting or
 *   function in snake_case or camelCase, a command-line flag: ROS_DOMAIN_ID, onBrokenLinks,
 *   --dry-run) that no passage contains: the course does not document that thing, and an answer
 *   from the words around it would mislead. A reader's own names ("my handle_msg callback") are
 *   theirs to use and do not count.
 *
 * A question is covered when it names no such exact name and closeness − UNFAMILIAR_WORD_PENALTY
 * × unfamiliar words ≥ the minimum (CHAT_MIN_DENSE_SCORE overrides it). With the bundled model
 * this refused 13 of the 20 off-course questions and wrongly refused 2 of 160 answerable ones; the
 * off-course questions it lets through are near the course's field and use its words ("record
 * ROS 2 topics to a bag file" in a ROS course that never shows it). Remote embedders score on
 * their own scale: their default assumes cosines about 0.16 lower (the gap between the earlier
 * defaults, 0.51 and 0.35) and is not calibrated here; run `npm run eval` with the embedder and
 * set CHAT_MIN_DENSE_SCORE.
 */
export const BUNDLED_MODEL_MIN_EVIDENCE = 0.22;
const REMOTE_MODEL_MIN_EVIDENCE = 0.06;
export const UNFAMILIAR_WORD_PENALTY = 0.3;

export function defaultMinDenseScore(embedderId: string): number {
  return embedderId.startsWith('bundled:') ? BUNDLED_MODEL_MIN_EVIDENCE : REMOTE_MODEL_MIN_EVIDENCE;
}

/** What the coverage decision looks at for one searched query. */
export interface CoverageEvidence {
  closeness: Closeness;
  /** Dense search failed: closeness is judged on words alone. */
  lexicalOnly: boolean;
  /** Uncommon words of the query that the course never uses. */
  unfamiliarWords: readonly string[];
  /** Exact names (see EXACT_NAME) the question asks about that no passage contains. */
  unknownNames: readonly string[];
}

/** True when the course comes close enough to the question to answer from. */
export function courseCovers(evidence: CoverageEvidence, minEvidence: number): boolean {
  if (evidence.unknownNames.length > 0) return false;
  const { coverage } = evidence.closeness;
  // Without dense scores, a passage holding the question's terms counts for what a close one would.
  const dense = evidence.lexicalOnly ? coverage : evidence.closeness.dense;
  return dense + coverage - UNFAMILIAR_WORD_PENALTY * evidence.unfamiliarWords.length >= minEvidence;
}

/** The query's uncommon words that no passage of the course uses (see courseCovers). */
export async function unfamiliarWords(catalog: ChunkCatalog, query: string): Promise<string[]> {
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].filter((word) => word.length > 1 && isUncommonInEnglish(word));
  return words.length === 0 ? [] : catalog.wordsNeverUsed(words);
}

/**
 * An exact name: snake_case or SCREAMING_CASE with an underscore, camelCase with at least two
 * lower-case letters before its first capital (so product names such as macOS and iPhone are
 * not), or a --flag. Not part of a path, file name or URL (the reader's own values:
 * "static/my_logo.png"), and not right after "my", "our", "called" or "named".
 */
const EXACT_NAME = /(?<![\w./@:-])(?<!\b(?:[Mm]y|[Oo]ur|called|named)\s`?)(?:[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|[a-z]{2,}(?:[A-Z][a-z0-9]+)+|--[a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?![\w/@-]|[.:]\w)/g;

/** The exact names the reader's question asks about that no passage of the course contains (see courseCovers). */
export async function unknownNames(catalog: ChunkCatalog, question: string): Promise<string[]> {
  const names = [...new Set(question.match(EXACT_NAME) ?? [])];
  return names.length === 0 ? [] : catalog.namesNeverUsed(names);
}
