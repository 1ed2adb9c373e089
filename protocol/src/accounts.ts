import { z } from 'zod';

/**
 * Readers' accounts, their profile questionnaire, and operators' API tokens. Sign-up, sign-in,
 * verification and password reset are better-auth's endpoints under `/api/auth/*`; their errors
 * are translated into Docent's error body like every other route.
 */

/** The optional questionnaire offered at sign-up, kept for later personalisation. */
export const readerProfileSchema = z
  .object({
    software_experience: z.enum(['none', 'beginner', 'intermediate', 'advanced']).optional(),
    /** Hardware and robotics experience. */
    hardware_experience: z.enum(['none', 'hobbyist', 'student', 'professional']).optional(),
    learning_goal: z.string().trim().max(500).optional(),
  })
  .strict();
export type ReaderProfile = z.infer<typeof readerProfileSchema>;

export const accountSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  email_verified: z.boolean(),
  profile: readerProfileSchema,
});
export type Account = z.infer<typeof accountSchema>;

/** `GET /api/v1/me`: the signed-in reader, or `null` for an anonymous visitor. */
export const meResponseSchema = z.object({ account: accountSchema.nullable() });
export type MeResponse = z.infer<typeof meResponseSchema>;

export const profileResponseSchema = z.object({ profile: readerProfileSchema });

/** `admin` may change things (ingest, tokens); `read` may only look (insights). */
export const apiTokenScopeSchema = z.enum(['admin', 'read']);
export type ApiTokenScope = z.infer<typeof apiTokenScopeSchema>;

export const createApiTokenRequestSchema = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(apiTokenScopeSchema).min(1).max(2),
  /** Unset → the token does not expire (revoke it when done). */
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});
export type CreateApiTokenRequest = z.infer<typeof createApiTokenRequestSchema>;

export const apiTokenSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The token's first characters, to tell tokens apart; the token itself is never shown again. */
  prefix: z.string(),
  scopes: z.array(apiTokenScopeSchema),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export type ApiTokenSummary = z.infer<typeof apiTokenSummarySchema>;

/** The only response that ever contains the token. */
export const createdApiTokenSchema = apiTokenSummarySchema.extend({ token: z.string() });
export type CreatedApiToken = z.infer<typeof createdApiTokenSchema>;

export const apiTokenListSchema = z.object({ tokens: z.array(apiTokenSummarySchema) });

export const ingestRunSchema = z.object({
  status: z.enum(['running', 'succeeded', 'failed', 'idle']),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  /** Chunks written, unchanged and removed by the last finished run. */
  chunks: z.object({ written: z.number(), unchanged: z.number(), removed: z.number() }).nullable(),
  error: z.string().nullable(),
});
export type IngestRun = z.infer<typeof ingestRunSchema>;

/** What readers do with Docent, for course authors and operators (no personal data). */
export const insightsSchema = z.object({
  since: z.string(),
  questions: z.number(),
  threads: z.number(),
  accounts: z.number(),
  answers: z.object({ complete: z.number(), interrupted: z.number(), failed: z.number() }),
  feedback: z.object({ up: z.number(), down: z.number() }),
  tokens_used: z.number(),
  /** Sections cited most often, with how many answers cited them. */
  top_sources: z.array(z.object({ url: z.string(), title: z.string(), citations: z.number() })),
});
export type Insights = z.infer<typeof insightsSchema>;

export const startIngestRequestSchema = z.object({
  /** Rebuild every vector (after changing the embedding model); default: only what changed. */
  reset: z.boolean().default(false),
});

export const insightsQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(365).default(7) });
