import { randomUUID } from 'node:crypto';
import { collectChunks } from '@docent/ingest';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, type Database } from '../../src/db/database.js';
import { prepareDatabase } from '../../src/db/prepare.js';
import { BUNDLED_COURSE_DIR, BUNDLED_COURSE_ROUTES } from '../../src/knowledge/bundled-course.js';
import { ChunkCatalog, type CatalogChunk } from '../../src/stores/chunk-catalog.js';
import { HEADING_WEIGHT } from '../../src/stores/full-text/bm25.js';
import type { TextMatch } from '../../src/stores/full-text/lexical-index.js';
import { searchTextInDatabase } from '../../src/stores/full-text/sql-search.js';
import { parseTsvectorText } from '../../src/stores/full-text/tsvector-text.js';
import { DATABASE_BACKENDS, freshDatabaseConfig, type TestDatabaseTarget } from '../helpers/app.js';

const silent = pino({ level: 'silent' });

interface Question {
  question: string;
  emphasis?: string;
}

/** Questions a reader might type, with the follow-up words some of them emphasise. */
const QUESTIONS: Question[] = [
  { question: 'What is a URDF file used for?' },
  { question: 'How do I launch several nodes with their parameters at once?' },
  { question: 'Why does my walking robot fall over when it steps off a curb?' },
  { question: 'and for Gazebo?\nWhich physics engine should I pick for a humanoid?', emphasis: 'and for Gazebo?' },
  { question: 'robot' },
  { question: 'how do I' },
];

function identified(text: string): CatalogChunk {
  return { id: randomUUID(), position: 0, text, chapter: 'Edge cases', url: '/docs/edge', heading: 'Quoting', anchor: 'quoting', doc_path: 'edge.md', content_hash: randomUUID() };
}

/** Same passages in the same order; scores may differ in the last bits (sums taken in another order). */
function expectSameRanking(actual: readonly TextMatch[], expected: readonly TextMatch[]) {
  expect(actual.map((match) => match.id)).toEqual(expected.map((match) => match.id));
  for (const [index, match] of actual.entries()) {
    expect(match.score).toBeCloseTo(expected[index]?.score ?? Number.NaN, 9);
    expect(match.coverage).toBeCloseTo(expected[index]?.coverage ?? Number.NaN, 9);
  }
}

describe.each(DATABASE_BACKENDS)('full-text index on $name', ({ name }) => {
  let target: TestDatabaseTarget;
  let database: Database;
  let catalog: ChunkCatalog;
  let chunks: CatalogChunk[];
  // A quote inside a term (a URL's) is doubled in a tsvector's text form.
  const awkward = identified("O'Reilly's robot reads http://robots.example.com/o'neil/arm.urdf for the gripper's URDF.");

  beforeAll(async () => {
    target = await freshDatabaseConfig(name);
    database = await openDatabase({ databaseUrl: target.config.databaseUrl, dataDir: target.config.dataDir, log: silent });
    await prepareDatabase(database, silent);
    catalog = new ChunkCatalog(database.db);
    chunks = [...(await collectChunks({ docsDir: BUNDLED_COURSE_DIR, ...BUNDLED_COURSE_ROUTES })).chunks, awkward];
    await catalog.upsert(chunks);
    await catalog.refreshTermStatistics();
  });
  afterAll(async () => {
    await database?.close();
    await target?.cleanup();
  });

  it("reads every passage's terms and weighted counts as PostgreSQL stores them", async () => {
    const rows = await queryRows<{ id: string; document: string; lexeme: string; frequency: number }>(
      database.db,
      sql`select c.id::text as id, c.search_document::text as document, u.lexeme,
                 coalesce(cardinality(array_positions(u.weights, 'B')), 0) + ${HEADING_WEIGHT}::int * coalesce(cardinality(array_positions(u.weights, 'A')), 0) as frequency
          from course_chunks c cross join lateral unnest(c.search_document) as u`,
    );
    const expected = new Map<string, Map<string, number>>();
    const documents = new Map<string, string>();
    for (const row of rows) {
      documents.set(row.id, row.document);
      expected.set(row.id, (expected.get(row.id) ?? new Map<string, number>()).set(row.lexeme, Number(row.frequency)));
    }
    expect(documents.size).toBe(chunks.length);
    for (const [id, document] of documents) {
      const parsed = parseTsvectorText(document);
      expect(new Map(parsed.map((entry) => [entry.lexeme, entry.frequency]))).toEqual(expected.get(id));
    }
    expect([...(expected.get(awkward.id)?.keys() ?? [])].some((lexeme) => lexeme.includes("'"))).toBe(true);
    // Backslashes are doubled too, and a term may have no positions at all.
    const [literal] = await queryRows<{ document: string }>(database.db, sql`select ${"'a\\\\b':1A,2 'it''s':3B,4B 'bare'"}::tsvector::text as document`);
    expect(parseTsvectorText(literal?.document ?? '')).toEqual([
      { lexeme: 'a\\b', frequency: HEADING_WEIGHT },
      { lexeme: 'bare', frequency: 0 },
      { lexeme: "it's", frequency: 2 },
    ]);
  });

  it('ranks every question as the SQL ranking does, once the index is built', async () => {
    expect(await catalog.prepareSearchIndex()).toBe(chunks.length);
    const headings = [...new Set(chunks.map((chunk) => chunk.heading))].map((heading): Question => ({ question: heading }));
    for (const { question, emphasis } of [...QUESTIONS, ...headings]) {
      expectSameRanking(await catalog.searchText(question, 20, emphasis), await searchTextInDatabase(database.db, question, 20, emphasis));
    }
    expect((await catalog.searchText("O'Reilly's arm.urdf", 3))[0]?.id).toBe(awkward.id);
    expect(await catalog.searchText('how do I', 5)).toEqual([]);
  });

  it('sees what another process changed, before and after rebuilding its index', async () => {
    expect(await catalog.prepareSearchIndex()).toBe(chunks.length);
    // Another process on the same database (the ingest command, another replica).
    const other = new ChunkCatalog(database.db);
    const generation = async () => (await queryRows<{ value: string }>(database.db, sql`select last_value::text as value from course_catalog_generation`))[0]?.value;
    // An ingest that changed nothing (it deletes the pages it found removed: none) leaves every index current.
    const before = await generation();
    await other.delete([]);
    await other.upsert([]);
    expect(await generation()).toBe(before);
    const added = identified('The quetzalcoatlus actuator drives the ankle pitch joint.');
    await other.upsert([added]);
    // Answered at once, while this process's index is rebuilt.
    expect((await catalog.searchText('quetzalcoatlus actuator', 5))[0]?.id).toBe(added.id);
    expect(await catalog.prepareSearchIndex()).toBe(chunks.length + 1);
    expect((await catalog.searchText('quetzalcoatlus actuator', 5))[0]?.id).toBe(added.id);
    await other.delete([added.id]);
    expect((await catalog.searchText('quetzalcoatlus actuator', 5)).map((match) => match.id)).not.toContain(added.id);
    expect(await catalog.prepareSearchIndex()).toBe(chunks.length);
    expect((await catalog.searchText('quetzalcoatlus actuator', 5)).map((match) => match.id)).not.toContain(added.id);
  });
});
