/**
 * The one database schema, for the embedded PGlite database and PostgreSQL alike. Migrations in
 * `server/drizzle/` are generated from this file (`npm run db:generate`) and applied at startup.
 * `users`, `sessions`, `accounts` and `verifications` are better-auth's core model (property names
 * are its field names; the drizzle adapter maps them to these columns).
 */
import { sql } from 'drizzle-orm';
import { boolean, customType, doublePrecision, index, integer, jsonb, pgSequence, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  emailVerified: boolean('email_verified').notNull().default(false),
  image: text('image'),
  /** The reader's optional questionnaire answers (protocol `readerProfileSchema`), for personalisation. */
  profile: jsonb('profile'),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    token: text('token').notNull().unique(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index('sessions_user_id_idx').on(table.userId)],
);

/** How a user signs in: for email + password, `providerId` is `credential` and `password` holds the hash. */
export const accounts = pgTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: timestamp('access_token_expires_at', { withTimezone: true }),
    refreshTokenExpiresAt: timestamp('refresh_token_expires_at', { withTimezone: true }),
    scope: text('scope'),
    password: text('password'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index('accounts_user_id_idx').on(table.userId)],
);

/** Pending email verifications and password resets (better-auth stores their tokens here). */
export const verifications = pgTable(
  'verifications',
  {
    id: text('id').primaryKey(),
    identifier: text('identifier').notNull(),
    value: text('value').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index('verifications_identifier_idx').on(table.identifier)],
);

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** SHA-256 of the token; the token itself is shown once at creation and never stored. */
    tokenHash: text('token_hash').notNull().unique(),
    /** The first characters of the token, so operators can tell tokens apart in a list. */
    tokenPrefix: text('token_prefix').notNull(),
    scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (table) => [index('api_tokens_user_id_idx').on(table.userId)],
);

export const threads = pgTable(
  'threads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Set for signed-in readers. */
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    /** Set for anonymous visitors (from their signed cookie) until they sign in. */
    anonymousId: text('anonymous_id'),
    title: text('title'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    index('threads_user_id_updated_idx').on(table.userId, table.updatedAt),
    index('threads_anonymous_id_updated_idx').on(table.anonymousId, table.updatedAt),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    threadId: uuid('thread_id')
      .notNull()
      .references(() => threads.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['user', 'assistant'] }).notNull(),
    content: text('content').notNull(),
    /** `complete`, or why an assistant reply ended early. */
    status: text('status', { enum: ['complete', 'streaming', 'interrupted', 'failed'] })
      .notNull()
      .default('complete'),
    /** The reader's selected text and page, for questions about a selection. */
    context: jsonb('context'),
    /** Cited sources with their retrieval scores. */
    sources: jsonb('sources'),
    usage: jsonb('usage'),
    generator: text('generator'),
    totalTokens: integer('total_tokens'),
    /**
     * On an anonymous visitor's answer while DAILY_TOKEN_BUDGET is set: HMAC-SHA256 (keyed with
     * SECRET_KEY) of the address it was asked from, so the budget also holds per address when the
     * visitor cookie is dropped. Never the address itself.
     */
    addressHash: text('address_hash'),
    createdAt: createdAt(),
  },
  (table) => [
    index('messages_thread_id_created_idx').on(table.threadId, table.createdAt),
    index('messages_address_hash_created_idx').on(table.addressHash, table.createdAt).where(sql`${table.addressHash} is not null`),
  ],
);

export const feedback = pgTable(
  'feedback',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    rating: text('rating', { enum: ['up', 'down'] }).notNull(),
    comment: text('comment'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  /** One rating per answer; rating again replaces it. */
  (table) => [uniqueIndex('feedback_message_id_idx').on(table.messageId)],
);

/** PostgreSQL's full-text document type; filled by a generated column, never written directly. */
const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * Every chunk of course text, whatever store holds its vector: the relational side is the source
 * of truth for text, payload and content hashes (incremental ingest) and serves lexical search.
 */
export const courseChunks = pgTable(
  'course_chunks',
  {
    id: uuid('id').primaryKey(),
    docPath: text('doc_path').notNull(),
    position: integer('position').notNull(),
    chapter: text('chapter').notNull(),
    heading: text('heading').notNull(),
    anchor: text('anchor').notNull(),
    url: text('url').notNull(),
    text: text('text').notNull(),
    contentHash: text('content_hash').notNull(),
    searchDocument: tsvector('search_document').generatedAlwaysAs(
      sql`setweight(to_tsvector('english', coalesce(chapter, '') || ' ' || coalesce(heading, '')), 'A') || setweight(to_tsvector('english', coalesce(text, '')), 'B')`,
    ),
    updatedAt: updatedAt(),
  },
  (table) => [
    index('course_chunks_doc_path_idx').on(table.docPath, table.position),
    index('course_chunks_search_idx').using('gin', table.searchDocument),
    // The reader's page (its URL without #anchor): found without reading every chunk of a large site.
    index('course_chunks_page_idx').on(sql`split_part(${table.url}, '#', 1)`),
  ],
);

/**
 * How many chunks contain each search term, refreshed after every ingest. Lexical search leaves
 * out terms that most chunks contain: they match nearly everything, rank nothing, and make the
 * query scan the whole table.
 */
export const courseTermStats = pgTable('course_term_stats', {
  lexeme: text('lexeme').primaryKey(),
  chunkCount: integer('chunk_count').notNull(),
});

/** Corpus-wide figures for BM25 ranking (one row): how many chunks, and their average length in lexemes. */
export const courseSearchStats = pgTable('course_search_stats', {
  id: integer('id').primaryKey(),
  chunkCount: integer('chunk_count').notNull(),
  averageLength: doublePrecision('average_length').notNull(),
});

/**
 * Advanced after every committed change to course_chunks: a server process holding its own full-text
 * index of the chunks (stores/full-text/) knows from it that the index is out of date, whichever
 * process (the server, `npm run ingest`, another replica) made the change. A sequence, so readers
 * never wait on a row lock held by an ingest.
 */
export const courseCatalogGeneration = pgSequence('course_catalog_generation');

/** Which embedder filled each vector collection, so vectors of two models are never mixed. */
export const vectorCollections = pgTable('vector_collections', {
  name: text('name').primaryKey(),
  store: text('store').notNull(),
  embedderId: text('embedder_id').notNull(),
  dimensions: integer('dimensions').notNull(),
  createdAt: createdAt(),
});

export const schema = { users, sessions, accounts, verifications, apiTokens, threads, messages, feedback, courseChunks, courseTermStats, courseSearchStats, vectorCollections };
