import { createHash, randomBytes } from 'node:crypto';
import { apiTokenScopeSchema, type ApiTokenScope, type ApiTokenSummary, type CreatedApiToken } from '@docent/protocol';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { DocentDb } from '../db/database.js';
import { apiTokens } from '../db/schema.js';

/** Recognisable in logs, configs and secret scanners: `dct_` then 256 random bits. */
const TOKEN_PREFIX = 'dct_';
const SHOWN_PREFIX_LENGTH = TOKEN_PREFIX.length + 6;
/** `last_used_at` is written at most this often per token, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface VerifiedToken {
  id: string;
  name: string;
  scopes: ApiTokenScope[];
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * API tokens for operators and automation. Only a SHA-256 of each token is stored (tokens are
 * random, so a plain hash is enough: there is nothing to brute-force); the token itself is shown
 * once, at creation. A revoked or expired token stops working at once.
 */
export class ApiTokenStore {
  constructor(private readonly db: DocentDb) {}

  async create(request: { name: string; scopes: readonly ApiTokenScope[]; expiresInDays?: number | undefined }): Promise<CreatedApiToken> {
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const expiresAt = request.expiresInDays === undefined ? null : new Date(Date.now() + request.expiresInDays * 24 * 60 * 60 * 1000);
    const [row] = await this.db
      .insert(apiTokens)
      .values({ name: request.name, tokenHash: hashToken(token), tokenPrefix: token.slice(0, SHOWN_PREFIX_LENGTH), scopes: [...new Set(request.scopes)], expiresAt })
      .returning();
    return { ...summary(row as typeof apiTokens.$inferSelect), token };
  }

  async list(): Promise<ApiTokenSummary[]> {
    const rows = await this.db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt));
    return rows.map(summary);
  }

  /** True when the token existed and was not already revoked. */
  async revoke(id: string): Promise<boolean> {
    const revoked = await this.db
      .update(apiTokens)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    return revoked.length > 0;
  }

  /** The token's identity and scopes, or undefined for an unknown, revoked or expired token. */
  async verify(token: string): Promise<VerifiedToken | undefined> {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const [row] = await this.db.select().from(apiTokens).where(eq(apiTokens.tokenHash, hashToken(token)));
    if (!row || row.revokedAt !== null || (row.expiresAt !== null && row.expiresAt.getTime() <= Date.now())) return undefined;
    if (row.lastUsedAt === null || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(eq(apiTokens.id, row.id));
    }
    return { id: row.id, name: row.name, scopes: parseScopes(row.scopes) };
  }
}

function parseScopes(scopes: readonly string[]): ApiTokenScope[] {
  return scopes.flatMap((scope) => {
    const parsed = apiTokenScopeSchema.safeParse(scope);
    return parsed.success ? [parsed.data] : [];
  });
}

function summary(row: typeof apiTokens.$inferSelect): ApiTokenSummary {
  return {
    id: row.id,
    name: row.name,
    prefix: row.tokenPrefix,
    scopes: parseScopes(row.scopes),
    created_at: row.createdAt.toISOString(),
    last_used_at: row.lastUsedAt?.toISOString() ?? null,
    expires_at: row.expiresAt?.toISOString() ?? null,
    revoked_at: row.revokedAt?.toISOString() ?? null,
  };
}
