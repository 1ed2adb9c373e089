import type { ErrorCode, Source, Usage } from '@docent/protocol';

/** One earlier turn of the conversation, for generators that can use it. */
export interface ConversationTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** A numbered source with the full passage the generator may draw on (the wire source has a snippet). */
export interface GroundingSource extends Source {
  text: string;
  /** The retrieval score of a course passage (stored with the answer); a selection has none. */
  score?: number;
}

export interface GenerationRequest {
  question: string;
  /** Numbered as the reader sees them; an answer cites them as `[id]`. */
  sources: readonly GroundingSource[];
  history: readonly ConversationTurn[];
  signal: AbortSignal;
}

export type GenerationEvent = { type: 'delta'; text: string } | { type: 'usage'; usage: Usage };

/**
 * Writes the answer from the sources, as a stream of text pieces (Markdown with `[n]` markers),
 * optionally ending with token usage. Implementations must stop promptly when `signal` aborts.
 */
export interface Generator {
  /** Stored with each answer: which generator wrote it. */
  readonly name: string;
  generate(request: GenerationRequest): AsyncIterable<GenerationEvent>;
}

/** A generation failure a reader can be told about (the upstream's own message is only logged). */
export class GenerationError extends Error {
  constructor(
    readonly code: Extract<ErrorCode, 'answer_failed' | 'answer_service_busy' | 'answer_timeout'>,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GenerationError';
  }
}

export const NO_USAGE: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
