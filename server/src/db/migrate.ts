import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { queryRows, type DocentDb } from './database.js';

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/**
 * Any constant works; it only has to be the same for every Docent instance sharing a database.
 * ("docent" as ASCII, so it is recognisable in pg_locks.)
 */
const MIGRATION_LOCK_KEY = 0x646f63656e74;

export interface MigrationReport {
  applied: number;
  alreadyApplied: number;
}

/**
 * Applies the pending migrations in one transaction, holding a transaction-scoped advisory lock so
 * that instances starting at the same moment apply them once, one after the other. A transaction
 * lock (not a session lock) also works behind PgBouncer in transaction-pooling mode. Bookkeeping
 * uses drizzle's own table, so drizzle-kit sees the same history.
 */
export async function applyMigrations(db: DocentDb): Promise<MigrationReport> {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`create schema if not exists drizzle`);
    await tx.execute(sql`
      create table if not exists drizzle.__drizzle_migrations (
        id serial primary key,
        hash text not null,
        created_at bigint
      )`);
    const [last] = await queryRows<{ created_at: string | null }>(
      tx,
      sql`select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`,
    );
    const lastAppliedAt = Number(last?.created_at ?? 0);
    const pending = migrations.filter((migration) => migration.folderMillis > lastAppliedAt);
    for (const migration of pending) {
      for (const statement of migration.sql) {
        if (statement.trim() !== '') await tx.execute(sql.raw(statement));
      }
      await tx.execute(
        sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`,
      );
    }
    return { applied: pending.length, alreadyApplied: migrations.length - pending.length };
  });
}
