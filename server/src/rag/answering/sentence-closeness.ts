/**
 * How close each quotable unit of the course sources is to the question, by the sentence model.
 * Shared rare words find the sentence that names what was asked; the model finds the one that
 * answers a paraphrase ("which one do visitors see?" / "the page created last is accessible").
 * The bundled model is a sentence encoder, so this is where it is at its best.
 */
import type { Embedder } from '../../embed/embedder.js';
import { cosineSimilarity } from '../../embed/embedder.js';
import type { GroundingSource } from './generator.js';
import type { Passage, PassageUnit } from './passage-units.js';

/** Units scored per answer, best-ranked sources first: up to ~30 ms of the native model (~0.45 s on WebAssembly) when none is cached. (60 found no more facts in `npm run eval`.) */
const MAX_UNITS_SCORED = 30;
/** The model reads about 128 tokens; a longer text only makes a longer cache key. */
const MAX_CHARS_SCORED = 600;

export type UnitCloseness = ReadonlyMap<PassageUnit, number>;

/**
 * Scores answers' units with the sentence model, one answer at a time. The model is one thread
 * shared with readers' questions, and an answer's uncached sentences cost it ~30 ms natively and
 * ~0.45 s on the WebAssembly fallback: were every answer to wait its turn there, 16 readers asking
 * at once would get ~2 answers a second instead of ~30.
 * So while one answer is being scored, the others are chosen by shared words alone, as without a
 * model. Sentences already cached cost nothing, so scoring is rarely skipped on a warm course.
 */
export class SentenceScorer {
  private scoring = false;

  /**
   * `questions`: the embedder retrieval used, whose cache already holds the question's vector;
   * `sentences`: the lane and cache for the passages' sentences.
   */
  constructor(private readonly embedders: { questions: Embedder; sentences: Embedder }) {}

  /**
   * Cosine similarity of the question and each quotable unit of the course sources (a reader's
   * selection is theirs, not a candidate answer). Undefined when another answer holds the model,
   * the model fails or the answer was abandoned: the answer is then chosen by shared words alone.
   */
  async closeness(question: string, sources: readonly GroundingSource[], passages: readonly Passage[], signal: AbortSignal): Promise<UnitCloseness | undefined> {
    const units = sources.flatMap((source, index) => (source.kind === 'course' ? (passages[index]?.units ?? []).filter((unit) => !unit.unquotable) : [])).slice(0, MAX_UNITS_SCORED);
    if (units.length === 0 || signal.aborted || this.scoring) return undefined;
    this.scoring = true;
    try {
      const [[questionVector], vectors] = await Promise.all([
        this.embedders.questions.embed([question], { signal }),
        this.embedders.sentences.embed(units.map((unit) => [unit.text, ...unit.items].join(' ').slice(0, MAX_CHARS_SCORED)), { signal }),
      ]);
      if (!questionVector) return undefined;
      return new Map(units.map((unit, index) => [unit, cosineSimilarity(questionVector, vectors[index] as Float32Array)]));
    } catch {
      return undefined;
    } finally {
      this.scoring = false;
    }
  }
}
