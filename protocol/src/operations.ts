import { z } from 'zod';

/** How far indexing the course has come: passages embedded of those to embed (0 of 0 while reading the files). */
export const courseIndexingSchema = z.object({
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type CourseIndexing = z.infer<typeof courseIndexingSchema>;

/**
 * `GET /health`: liveness plus database reachability, for load balancers and uptime checks.
 * `indexing` is there only while the course is being indexed (a first start): still healthy, but
 * answers come from what is indexed so far.
 */
export const healthResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.enum(['connected', 'disconnected']),
  uptime_seconds: z.number().int().nonnegative(),
  indexing: courseIndexingSchema.optional(),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;

const responseTimeSchema = z.object({
  avg: z.number().nonnegative(),
  p50: z.number().nonnegative(),
  p95: z.number().nonnegative(),
  p99: z.number().nonnegative(),
});

/** `GET /metrics`: request counters and response times since start. Never configuration. */
export const metricsResponseSchema = z.object({
  total_requests: z.number().int().nonnegative(),
  /** Requests answered with a 5xx status: failures on the server's side. */
  error_count: z.number().int().nonnegative(),
  /** Requests answered with a 4xx status: rejected input, missing routes, rate limits. */
  client_error_count: z.number().int().nonnegative(),
  /** error_count / total_requests, 0 when there were no requests. */
  error_rate: z.number().min(0).max(1),
  /** Over the most recent requests (a bounded window), in milliseconds. */
  response_time_ms: responseTimeSchema,
  /**
   * Answers since start, by how they ended. A streamed answer that fails after its first byte is
   * still an HTTP 200, so it shows here (`failed`), not in error_count. `keyword_only`: answered
   * from full-text search alone because the vector store was unreachable.
   */
  answers: z.object({
    complete: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    interrupted: z.number().int().nonnegative(),
    keyword_only: z.number().int().nonnegative(),
  }),
  uptime_seconds: z.number().int().nonnegative(),
});
export type MetricsResponse = z.infer<typeof metricsResponseSchema>;
