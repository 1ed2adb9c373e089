import { eq } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '../src/db/database.js';
import { applyMigrations } from '../src/db/migrate.js';
import { prepareDatabase } from '../src/db/prepare.js';
import { feedback, messages, threads, users } from '../src/db/schema.js';
import { DATABASE_BACKENDS, freshDatabaseConfig, type TestDatabaseTarget } from './helpers/app.js';
import { createFreshPostgresDatabase, POSTGRES_MISSING } from './helpers/postgres.js';

const silent = pino({ level: 'silent' });
const EXPECTED_TABLES = ['accounts', 'api_tokens', 'course_chunks', 'course_search_stats', 'course_term_stats', 'feedback', 'messages', 'sessions', 'threads', 'users', 'vector_collections', 'verifications'];

async function open(target: TestDatabaseTarget): Promise<Database> {
  return openDatabase({ databaseUrl: target.config.databaseUrl, dataDir: target.config.dataDir, log: silent });
}

async function tableNames(database: Database): Promise<string[]> {
  const rows = await queryRows<{ table_name: string }>(
    database.db,
    sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
  );
  return rows.map((row) => row.table_name);
}

describe.each(DATABASE_BACKENDS)('database on $name', ({ name }) => {
  let target: TestDatabaseTarget;
  let database: Database;
  beforeAll(async () => {
    target = await freshDatabaseConfig(name);
    database = await open(target);
  });
  afterAll(async () => {
    await database?.close();
    await target?.cleanup();
  });

  it('creates every table on first start', async () => {
    expect(await tableNames(database)).toEqual([]);
    const report = await applyMigrations(database.db);
    expect(report.applied).toBeGreaterThanOrEqual(1);
    expect(report.alreadyApplied).toBe(0);
    expect(await tableNames(database)).toEqual(EXPECTED_TABLES);
  });

  it('treats a second migration run as a no-op', async () => {
    const countBefore = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    const report = await applyMigrations(database.db);
    expect(report.applied).toBe(0);
    const countAfter = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect(countAfter).toEqual(countBefore);
    expect(await tableNames(database)).toEqual(EXPECTED_TABLES);
  });

  it('stores a conversation and deletes it with its messages and feedback', async () => {
    await database.db.insert(users).values({ id: 'user-1', name: 'Ada', email: `ada-${name}@example.com` });
    const [thread] = await database.db.insert(threads).values({ userId: 'user-1', title: 'ROS 2 topics' }).returning();
    if (!thread) throw new Error('no thread');
    const [question, answer] = await database.db
      .insert(messages)
      .values([
        { threadId: thread.id, role: 'user', content: 'What is a topic?' },
        { threadId: thread.id, role: 'assistant', content: 'A named bus [1].', sources: [{ id: 1, url: '/docs/ros2#topics' }] },
      ])
      .returning();
    if (!question || !answer) throw new Error('no messages');
    await database.db.insert(feedback).values({ messageId: answer.id, rating: 'up' });

    const stored = await database.db.select().from(messages).where(eq(messages.threadId, thread.id)).orderBy(messages.createdAt);
    expect(stored.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(stored[1]?.sources).toEqual([{ id: 1, url: '/docs/ros2#topics' }]);
    expect(stored[1]?.status).toBe('complete');

    await expect(database.db.insert(feedback).values({ messageId: answer.id, rating: 'down' })).rejects.toThrow();

    await database.db.delete(threads).where(eq(threads.id, thread.id));
    expect(await database.db.select().from(messages).where(eq(messages.threadId, thread.id))).toEqual([]);
    expect(await database.db.select().from(feedback).where(eq(feedback.messageId, answer.id))).toEqual([]);
  });
});

describe.skipIf(POSTGRES_MISSING !== undefined)('PostgreSQL specifics', () => {
  it('applies migrations exactly once when two instances start at the same moment', async () => {
    const provisioned = await createFreshPostgresDatabase();
    const options = { databaseUrl: provisioned.url, dataDir: '/nonexistent', log: silent };
    const [first, second] = await Promise.all([openDatabase(options), openDatabase(options)]);
    try {
      const reports = await Promise.all([applyMigrations(first.db), applyMigrations(second.db)]);
      const total = (reports[0]?.applied ?? 0) + (reports[0]?.alreadyApplied ?? 0);
      expect(total).toBeGreaterThanOrEqual(2);
      expect(reports.map((report) => report.applied).sort()).toEqual([0, total]);
      const rows = await queryRows<{ n: number }>(first.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
      expect(rows[0]?.n).toBe(total);
    } finally {
      await Promise.all([first.close(), second.close()]);
      await provisioned.drop();
    }
  });

  it('honours sslmode=require (this server has SSL off, so the connection is refused)', async () => {
    const provisioned = await createFreshPostgresDatabase();
    const database = await openDatabase({ databaseUrl: `${provisioned.url}?sslmode=require`, dataDir: '/nonexistent', log: silent });
    try {
      await expect(prepareDatabase(database, silent)).rejects.toThrow(/SSL/i);
    } finally {
      await database.close();
      await provisioned.drop();
    }
  });

  it('works through a transaction pooler URL (pgbouncer=true)', async () => {
    const provisioned = await createFreshPostgresDatabase();
    const database = await openDatabase({ databaseUrl: `${provisioned.url}?pgbouncer=true`, dataDir: '/nonexistent', log: silent });
    try {
      await prepareDatabase(database, silent);
      expect(database.location).toContain('transaction pooler');
      await expect(database.ping(1_000)).resolves.toBeUndefined();
    } finally {
      await database.close();
      await provisioned.drop();
    }
  });
});
