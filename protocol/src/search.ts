import { z } from 'zod';
import { chatStreamEventSchemas, withoutNul } from './chat.js';
import { courseIndexingSchema } from './operations.js';

export const MAX_SEARCH_QUERY_LENGTH = 2_000;

/** `GET /api/v1/search?q=&k=`: course passages ranked by relevance to a question. */
export const searchQuerySchema = z.object({
  q: withoutNul(
    z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(MAX_SEARCH_QUERY_LENGTH, `must be at most ${MAX_SEARCH_QUERY_LENGTH} characters`),
  ),
  k: z.coerce.number().int().min(1).max(50).default(5),
});
export type SearchQuery = z.infer<typeof searchQuerySchema>;

export const searchResultSchema = z.object({
  id: z.string(),
  chapter: z.string(),
  /** The heading path, `Section › Subsection`; '' for a page's introduction. */
  heading: z.string(),
  /** The page route plus `#anchor` of the section. */
  url: z.string(),
  doc_path: z.string(),
  text: z.string(),
  /** Fused relevance (reciprocal rank fusion); higher is better. */
  score: z.number(),
  dense_score: z.number().nullable(),
  lexical_score: z.number().nullable(),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

export const searchResponseSchema = z.object({
  query: z.string(),
  results: z.array(searchResultSchema),
  /** Non-empty when results are degraded, e.g. `lexical_only` while the vector store is unreachable. */
  notices: z.array(chatStreamEventSchemas.notice),
});
export type SearchResponse = z.infer<typeof searchResponseSchema>;

/** `GET /api/v1/qdrant/status`: the active vector store (Qdrant, pgvector or the embedded one). */
export const storeStatusSchema = z.object({
  status: z.enum(['connected', 'disconnected']),
  collection: z.string(),
  store: z.enum(['qdrant', 'pgvector', 'pglite']),
  vectors: z.number().int().nonnegative().optional(),
  dimensions: z.number().int().nonnegative().optional(),
  embedder: z.string().optional(),
  /** Present while the course is being indexed: the vector count is still growing. */
  indexing: courseIndexingSchema.optional(),
});
export type StoreStatus = z.infer<typeof storeStatusSchema>;
