import type { Config } from '../../config.js';
import type { Embedder } from '../../embed/embedder.js';
import { ExtractiveGenerator } from './extractive-generator.js';
import type { Generator } from './generator.js';
import { OpenAiCompatibleGenerator } from './openai-generator.js';

/**
 * An LLM when LLM_BASE_URL, LLM_API_KEY and LLM_MODEL are set; otherwise quoted, cited course
 * sentences, chosen with the help of the sentence model.
 */
export function createGenerator(config: Config, sentenceEmbedder: Embedder): Generator {
  return config.llm ? new OpenAiCompatibleGenerator(config.llm) : new ExtractiveGenerator(sentenceEmbedder);
}
