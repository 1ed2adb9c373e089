import type { Config } from '../../config.js';
import type { KnowledgeBase } from '../../knowledge/knowledge-base.js';
import { ExtractiveGenerator } from './extractive-generator.js';
import type { Generator } from './generator.js';
import { OpenAiCompatibleGenerator } from './openai-generator.js';

/**
 * An LLM when LLM_BASE_URL, LLM_API_KEY and LLM_MODEL are set; otherwise quoted, cited course
 * sentences, chosen with the help of the sentence model.
 */
export function createGenerator(config: Config, knowledge: Pick<KnowledgeBase, 'queryEmbedder' | 'sentenceEmbedder'>): Generator {
  return config.llm ? new OpenAiCompatibleGenerator(config.llm) : new ExtractiveGenerator({ questions: knowledge.queryEmbedder, sentences: knowledge.sentenceEmbedder });
}
