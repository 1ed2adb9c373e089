import type { RetrievedChunk } from './retrieve.js';

/**
 * When is a question "covered by the course"? Calibrated on `course/eval/questions.jsonl` with the
 * bundled model (see bench/results/retrieval-quality.json for the eval itself): every question whose
 * expected section was retrieved had a passage with cosine similarity ≥ 0.51 or a full-text rank
 * ≥ 0.3, except one; 5 of the 8 questions the course does not answer had neither. Remote embedders
 * score on their own scale: set CHAT_MIN_DENSE_SCORE for them (all-MiniLM-L6-v2: about 0.35).
 */
export const BUNDLED_MODEL_MIN_DENSE_SCORE = 0.51;
const REMOTE_MODEL_MIN_DENSE_SCORE = 0.35;
export const MIN_LEXICAL_SCORE = 0.3;

export function defaultMinDenseScore(embedderId: string): number {
  return embedderId.startsWith('bundled:') ? BUNDLED_MODEL_MIN_DENSE_SCORE : REMOTE_MODEL_MIN_DENSE_SCORE;
}

/** True when some retrieved passage is close enough in meaning or in words to answer from. */
export function courseCovers(chunks: readonly RetrievedChunk[], minDenseScore: number): boolean {
  return chunks.some((chunk) => (chunk.dense_score ?? -1) >= minDenseScore || (chunk.lexical_score ?? 0) >= MIN_LEXICAL_SCORE);
}
