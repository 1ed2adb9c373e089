import { inArray, sql } from 'drizzle-orm';
import { queryRows, type DocentDb } from '../db/database.js';
import { courseChunks } from '../db/schema.js';
import { FullTextSearch } from './full-text/full-text-search.js';
import type { TextMatch } from './full-text/lexical-index.js';
import type { ChunkPayload } from './vector-store.js';

export interface CatalogChunk extends ChunkPayload {
  id: string;
  position: number;
}

const WRITE_BATCH = 200;

export type { TextMatch } from './full-text/lexical-index.js';

/**
 * The relational record of every course chunk: text and payload, content hashes for incremental
 * ingest, and full-text search for the lexical half of hybrid retrieval. Kept whichever store
 * holds the vectors.
 */
export class ChunkCatalog {
  private readonly fullText: FullTextSearch;

  constructor(private readonly db: DocentDb) {
    this.fullText = new FullTextSearch(db);
  }

  /** id → { doc_path, content_hash } of every stored chunk. */
  async hashes(): Promise<Map<string, { docPath: string; contentHash: string }>> {
    const rows = await this.db
      .select({ id: courseChunks.id, docPath: courseChunks.docPath, contentHash: courseChunks.contentHash })
      .from(courseChunks);
    return new Map(rows.map((row) => [row.id, { docPath: row.docPath, contentHash: row.contentHash }]));
  }

  async upsert(chunks: readonly CatalogChunk[]): Promise<void> {
    await this.changingPassages(chunks.length, async () => {
      for (let start = 0; start < chunks.length; start += WRITE_BATCH) {
        const rows = chunks.slice(start, start + WRITE_BATCH).map((chunk) => ({
          id: chunk.id,
          docPath: chunk.doc_path,
          position: chunk.position,
          chapter: chunk.chapter,
          heading: chunk.heading,
          anchor: chunk.anchor,
          url: chunk.url,
          text: chunk.text,
          contentHash: chunk.content_hash,
        }));
        await this.db
          .insert(courseChunks)
          .values(rows)
          .onConflictDoUpdate({
            target: courseChunks.id,
            set: {
              docPath: sql`excluded.doc_path`,
              position: sql`excluded.position`,
              chapter: sql`excluded.chapter`,
              heading: sql`excluded.heading`,
              anchor: sql`excluded.anchor`,
              url: sql`excluded.url`,
              text: sql`excluded.text`,
              contentHash: sql`excluded.content_hash`,
              updatedAt: sql`now()`,
            },
          });
      }
    });
  }

  async delete(ids: readonly string[]): Promise<void> {
    await this.changingPassages(ids.length, async () => {
      for (let start = 0; start < ids.length; start += WRITE_BATCH) {
        await this.db.delete(courseChunks).where(inArray(courseChunks.id, ids.slice(start, start + WRITE_BATCH)));
      }
    });
  }

  /**
   * Runs a change to `count` passages, then tells every process's full-text index it is out of
   * date, also when the change failed part way (earlier batches are committed). A failure to say
   * so is reported unless the change's own failure is. A change of nothing (an ingest that
   * removed no page calls delete with none) leaves every index as it is.
   */
  private async changingPassages(count: number, change: () => Promise<void>): Promise<void> {
    if (count === 0) return;
    let failed = false;
    try {
      await change();
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await this.fullText.markChanged().catch((error: unknown) => {
        if (!failed) throw error;
      });
    }
  }

  async count(): Promise<number> {
    const [row] = await queryRows<{ count: number }>(this.db, sql`select count(*)::int as count from course_chunks`);
    return row?.count ?? 0;
  }

  /**
   * The chunks of the page at `route` (a URL path without `#anchor`, with or without its trailing
   * slash) and its source file, if it is a course page.
   */
  async page(route: string): Promise<{ docPath: string; chunks: Array<{ id: string; anchor: string }> } | undefined> {
    const bare = route.replace(/\/+$/, '');
    // A browser's address percent-encodes what a course's stored URL may spell out (`/docs/café`).
    const spellings = [...new Set([bare, decodedPath(bare)])].flatMap((spelling) => [spelling, `${spelling}/`]);
    const rows = await queryRows<{ id: string; anchor: string; doc_path: string }>(
      this.db,
      sql`select id::text as id, anchor, doc_path from course_chunks
          where split_part(url, '#', 1) in (${sql.join(spellings.map((spelling) => sql`${spelling}`), sql`, `)})`,
    );
    const [first] = rows;
    return first && { docPath: first.doc_path, chunks: rows.map((row) => ({ id: row.id, anchor: row.anchor })) };
  }

  async get(ids: readonly string[]): Promise<CatalogChunk[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.select().from(courseChunks).where(inArray(courseChunks.id, [...ids]));
    return rows.map((row) => ({
      id: row.id,
      position: row.position,
      text: row.text,
      chapter: row.chapter,
      url: row.url,
      heading: row.heading,
      anchor: row.anchor,
      doc_path: row.docPath,
      content_hash: row.contentHash,
    }));
  }

  /** Recounts how many chunks contain each term, and the corpus figures BM25 needs; call after changing the chunks. */
  async refreshTermStatistics(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.execute(sql`delete from course_term_stats`);
      await tx.execute(sql`insert into course_term_stats (lexeme, chunk_count) select word, ndoc from ts_stat('select search_document from course_chunks')`);
      await tx.execute(sql`delete from course_search_stats`);
      await tx.execute(sql`insert into course_search_stats (id, chunk_count, average_length)
        select 1, count(*)::int, coalesce(avg(length(search_document)), 1) from course_chunks`);
    });
  }

  /**
   * The words (lower case, one per entry) that no chunk of the course uses in any inflection, by
   * the same English stemming as full-text search. Stop words count as used, and so does every
   * word while term statistics are not computed yet.
   */
  async wordsNeverUsed(words: readonly string[]): Promise<string[]> {
    if (words.length === 0) return [];
    const rows = await queryRows<{ word: string }>(
      this.db,
      sql`select w as word from regexp_split_to_table(${words.join(' ')}, ' ') as w
          where exists (select 1 from course_term_stats)
            and exists (select 1 from unnest(to_tsvector('english', w)))
            and not exists (select 1 from unnest(to_tsvector('english', w)) as t join course_term_stats s on s.lexeme = t.lexeme)`,
    );
    return rows.map((row) => row.word);
  }

  /**
   * Which of `names` (identifiers, flags) no passage contains as written, ignoring case. Read only
   * for questions that name one, so the scan of the passages' text is rare; nothing counts as
   * missing from a course with no passages yet.
   */
  async namesNeverUsed(names: readonly string[]): Promise<string[]> {
    if (names.length === 0) return [];
    const rows = await queryRows<{ name: string }>(
      this.db,
      sql`select n as name from regexp_split_to_table(${names.join(' ')}, ' ') as n
          where exists (select 1 from course_chunks)
            and not exists (select 1 from course_chunks c where strpos(lower(c.text), lower(n)) > 0 or strpos(lower(c.heading), lower(n)) > 0)`,
    );
    return rows.map((row) => row.name);
  }

  /**
   * Full-text search ranked by BM25 (see full-text/): each query term weighs by its rarity in the
   * course, its count in a passage saturates, long passages are normalised to the average, and
   * heading words count more. `emphasis` is the part of the query whose terms weigh double (a
   * follow-up's own words). `coverage` is the share of the query's term weight a passage holds.
   */
  async searchText(query: string, limit: number, emphasis = ''): Promise<TextMatch[]> {
    return this.fullText.search(query, limit, emphasis);
  }

  /**
   * Builds this process's full-text index now if it is missing or out of date (searches otherwise
   * build it in the background); resolves to how many passages it holds, undefined if it failed.
   */
  async prepareSearchIndex(): Promise<number | undefined> {
    return this.fullText.prepare();
  }
}

function decodedPath(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}
