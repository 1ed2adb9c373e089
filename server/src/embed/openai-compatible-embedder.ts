import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { normalize, type EmbedOptions, type Embedder } from './embedder.js';

const BATCH_SIZE = 64;
const MAX_ATTEMPTS = 4;
const FIRST_BACKOFF_MS = 500;
const REQUEST_TIMEOUT_MS = 30_000;

const embeddingsResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});

export interface OpenAiCompatibleOptions {
  /** Up to and including `/v1`, e.g. `http://localhost:8080/v1`. */
  baseUrl: string;
  apiKey: string | undefined;
  model: string;
  /** Expected vector size; checked against every answer. Probed from the server when unset. */
  dimensions: number | undefined;
}

export class EmbeddingServiceError extends Error {}

/**
 * Any server speaking OpenAI's `POST /v1/embeddings`: Hugging Face Text Embeddings Inference or
 * Ollama serving all-MiniLM-L6-v2 (384 dimensions, the original design's model), or a hosted
 * model. Batched; 429 and 5xx answers are retried with exponential backoff (honouring
 * `Retry-After`); answers are validated, and vectors normalised like every other embedder's.
 */
export class OpenAiCompatibleEmbedder implements Embedder {
  readonly id: string;

  private constructor(
    private readonly options: OpenAiCompatibleOptions,
    readonly dimensions: number,
  ) {
    this.id = `openai-compatible:${options.model}@${dimensions}`;
  }

  static async connect(options: OpenAiCompatibleOptions): Promise<OpenAiCompatibleEmbedder> {
    const dimensions = options.dimensions ?? (await requestEmbeddings(options, ['dimension probe']))[0]?.length;
    if (!dimensions) throw new EmbeddingServiceError(`${options.baseUrl} returned no embedding for a probe text`);
    return new OpenAiCompatibleEmbedder(options, dimensions);
  }

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += BATCH_SIZE) {
      options.signal?.throwIfAborted();
      const batch = await requestEmbeddings(this.options, texts.slice(start, start + BATCH_SIZE), options.signal);
      for (const embedding of batch) {
        if (embedding.length !== this.dimensions) {
          throw new EmbeddingServiceError(`${this.options.model} returned ${embedding.length} dimensions, expected ${this.dimensions}`);
        }
        vectors.push(normalize(embedding));
      }
    }
    return vectors;
  }
}

async function requestEmbeddings(options: OpenAiCompatibleOptions, texts: readonly string[], abandon?: AbortSignal): Promise<number[][]> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/embeddings`;
  for (let attempt = 1; ; attempt += 1) {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: options.model, input: texts }),
        signal: abandon ? AbortSignal.any([AbortSignal.timeout(REQUEST_TIMEOUT_MS), abandon]) : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      abandon?.throwIfAborted();
      if (attempt >= MAX_ATTEMPTS) throw new EmbeddingServiceError(`the embedding service at ${url} is unreachable: ${(error as Error).message}`);
      await sleep(backoff(attempt, null));
      continue;
    }
    if (response.ok) {
      const parsed = embeddingsResponseSchema.safeParse(await response.json().catch(() => null));
      if (!parsed.success || parsed.data.data.length !== texts.length) {
        throw new EmbeddingServiceError(`the embedding service at ${url} answered in an unexpected shape`);
      }
      return [...parsed.data.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
    }
    const retryable = response.status === 429 || response.status >= 500;
    if (!retryable || attempt >= MAX_ATTEMPTS) {
      throw new EmbeddingServiceError(`the embedding service at ${url} answered HTTP ${response.status}${retryable ? ` after ${attempt} attempts` : ''}`);
    }
    await sleep(backoff(attempt, response.headers.get('retry-after')));
  }
}

/** Retry-After (seconds) when the server gives one, else 0.5 s, 1 s, 2 s... */
function backoff(attempt: number, retryAfter: string | null): number {
  const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, 30_000) : FIRST_BACKOFF_MS * 2 ** (attempt - 1);
}
