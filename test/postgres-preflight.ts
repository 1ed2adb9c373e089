/**
 * Vitest global setup: before any suite starts, checks that the PostgreSQL `npm test` uses is
 * reachable and has pgvector. When it is not, a newcomer gets one line saying so and how to fix it,
 * and the PostgreSQL suites are skipped (DOCENT_TEST_POSTGRES_MISSING, read by the test helpers)
 * instead of failing in dozens of places. In CI (CI=true) a missing PostgreSQL is an error: a green
 * run must have run them.
 */
import pg from 'pg';

export const POSTGRES_MISSING_VARIABLE = 'DOCENT_TEST_POSTGRES_MISSING';
const PGVECTOR_HELP = 'Install pgvector (Debian/Ubuntu: apt install postgresql-<major>-pgvector; see "pgvector on your own PostgreSQL" in README.md)';

export default async function checkTestPostgres(): Promise<void> {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const problem = await postgresProblem(url);
  if (problem === undefined) return;
  const line = `PostgreSQL suites skipped: ${problem}.`;
  if (process.env.CI === 'true') throw new Error(`${line} CI must run them.`);
  process.env[POSTGRES_MISSING_VARIABLE] = problem;
  process.stdout.write(`\n${line}\n\n`);
}

export async function postgresProblem(url: string): Promise<string | undefined> {
  const where = withoutPassword(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    return `cannot connect to ${where} (${(error as Error).message || (error as NodeJS.ErrnoException).code}); start PostgreSQL or set DATABASE_URL`;
  }
  try {
    const { rows } = await client.query<{ available: boolean }>(`select exists (select 1 from pg_available_extensions where name = 'vector') as available`);
    return rows[0]?.available === true ? undefined : `${where} has no pgvector extension. ${PGVECTOR_HELP}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function withoutPassword(url: string): string {
  if (!URL.canParse(url)) return 'the PostgreSQL in DATABASE_URL';
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
