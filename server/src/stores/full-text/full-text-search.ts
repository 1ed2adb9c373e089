import { sql } from 'drizzle-orm';
import { queryRows, type DocentDb } from '../../db/database.js';
import { LexicalIndex, type TextMatch } from './lexical-index.js';
import { searchTextInDatabase } from './sql-search.js';
import { parseTsvectorText } from './tsvector-text.js';

/** Passages read per query while building the index: bounded, so a large site never arrives as one result. */
const BUILD_PAGE = 1_000;

/**
 * Full-text search for one process. Questions are ranked by an in-memory index of the passages
 * (lexical-index.ts) built from the database, and the database says when it is out of date: every
 * change to the passages advances the course_catalog_generation sequence, whichever process made
 * it, and each search reads that sequence in the same round trip that stems the question. While
 * the index is missing or out of date, the SQL ranking answers and the index is rebuilt in the
 * background, one build at a time.
 */
export class FullTextSearch {
  private current: { generation: string; index: LexicalIndex } | undefined;
  private building: Promise<void> | undefined;

  constructor(private readonly db: DocentDb) {}

  async search(query: string, limit: number, emphasis = ''): Promise<TextMatch[]> {
    const [row] = await queryRows<{ generation: string; lexemes: string[]; emphasised: string[] }>(
      this.db,
      sql`select (${currentGeneration}) as generation,
                 array(select lexeme from unnest(to_tsvector('english', ${query}))) as lexemes,
                 array(select lexeme from unnest(to_tsvector('english', ${emphasis}))) as emphasised`,
    );
    if (row !== undefined && this.current?.generation === row.generation) {
      return this.current.index.search({ lexemes: row.lexemes, emphasised: new Set(row.emphasised) }, limit);
    }
    void this.startRebuild();
    return searchTextInDatabase(this.db, query, limit, emphasis);
  }

  /**
   * Builds the index now unless it is up to date (searches build it themselves, in the
   * background); resolves to how many passages it holds, undefined when the build failed.
   */
  async prepare(): Promise<number | undefined> {
    // A build already running may have read the passages before the latest change: then one more.
    await this.building;
    await this.startRebuild();
    return this.current?.index.size;
  }

  private startRebuild(): Promise<void> {
    this.building ??= this.rebuildIfStale()
      // A failed build leaves the SQL ranking answering; the next search tries again.
      .catch(() => undefined)
      .finally(() => {
        this.building = undefined;
      });
    return this.building;
  }

  /** Call after every committed change to the passages: every process's index is then out of date. */
  async markChanged(): Promise<void> {
    await this.db.execute(sql`select nextval('course_catalog_generation')`);
  }

  private async rebuildIfStale(): Promise<void> {
    // Read before the passages: a change committed while they are read advances it past this.
    const [row] = await queryRows<{ generation: string }>(this.db, sql`select (${currentGeneration}) as generation`);
    if (row === undefined || this.current?.generation === row.generation) return;
    // The stale index answers nothing any more: let it go before the new one takes its memory.
    this.current = undefined;
    const builder = LexicalIndex.builder();
    let after: string | undefined;
    for (;;) {
      const page = await queryRows<{ id: string; document: string }>(
        this.db,
        sql`select id::text as id, search_document::text as document from course_chunks
            ${after === undefined ? sql`` : sql`where id > ${after}::uuid`} order by id limit ${BUILD_PAGE}`,
      );
      for (const chunk of page) builder.add(chunk.id, parseTsvectorText(chunk.document));
      if (page.length < BUILD_PAGE) break;
      after = page.at(-1)?.id;
    }
    this.current = { generation: row.generation, index: builder.build() };
  }
}

/** The sequence's value, 0 before its first use (its last_value reads 1 both before and after it). */
const currentGeneration = sql`select case when is_called then last_value else 0 end::text from course_catalog_generation`;
