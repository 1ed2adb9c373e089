import type { Config } from '../../config.js';
import { ExtractiveGenerator } from './extractive-generator.js';
import type { Generator } from './generator.js';
import { OpenAiCompatibleGenerator } from './openai-generator.js';

/** An LLM when LLM_BASE_URL, LLM_API_KEY and LLM_MODEL are set; otherwise quoted, cited course sentences. */
export function createGenerator(config: Config): Generator {
  return config.llm ? new OpenAiCompatibleGenerator(config.llm) : new ExtractiveGenerator();
}
