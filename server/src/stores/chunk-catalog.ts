import { inArray, sql } from 'drizzle-orm';
import { queryRows, type DocentDb } from '../db/database.js';
import { courseChunks } from '../db/schema.js';
import type { ChunkPayload, ScoredId } from './vector-store.js';

export interface CatalogChunk extends ChunkPayload {
  id: string;
  position: number;
}

const WRITE_BATCH = 200;
/** A term in more than this share of all chunks is too common to search by... */
const COMMON_TERM_SHARE = 0.05;
/** ...unless the course is so small that this many chunks is still a useful match. */
const COMMON_TERM_FLOOR = 20;

/**
 * The relational record of every course chunk: text and payload, content hashes for incremental
 * ingest, and full-text search for the lexical half of hybrid retrieval. Kept whichever store
 * holds the vectors.
 */
export class ChunkCatalog {
  constructor(private readonly db: DocentDb) {}

  /** id → { doc_path, content_hash } of every stored chunk. */
  async hashes(): Promise<Map<string, { docPath: string; contentHash: string }>> {
    const rows = await this.db
      .select({ id: courseChunks.id, docPath: courseChunks.docPath, contentHash: courseChunks.contentHash })
      .from(courseChunks);
    return new Map(rows.map((row) => [row.id, { docPath: row.docPath, contentHash: row.contentHash }]));
  }

  async upsert(chunks: readonly CatalogChunk[]): Promise<void> {
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
  }

  async delete(ids: readonly string[]): Promise<void> {
    for (let start = 0; start < ids.length; start += WRITE_BATCH) {
      await this.db.delete(courseChunks).where(inArray(courseChunks.id, ids.slice(start, start + WRITE_BATCH)));
    }
  }

  async count(): Promise<number> {
    const [row] = await queryRows<{ count: number }>(this.db, sql`select count(*)::int as count from course_chunks`);
    return row?.count ?? 0;
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

  /** Recounts how many chunks contain each term; call after changing the chunks. */
  async refreshTermStatistics(): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.execute(sql`delete from course_term_stats`);
      await tx.execute(sql`insert into course_term_stats (lexeme, chunk_count) select word, ndoc from ts_stat('select search_document from course_chunks')`);
    });
  }

  /**
   * Full-text search, any-word semantics: a question rarely contains every word of the passage
   * that answers it, so the query's terms are OR-ed and ranked by cover density (headings weigh
   * more than body text). Terms found in more than COMMON_TERM_SHARE of the chunks are left out
   * (the two rarest terms are always kept): like stop words, they cannot tell passages apart, and
   * on a large course they would make every query rank nearly every chunk.
   */
  async searchText(query: string, limit: number): Promise<ScoredId[]> {
    const rows = await queryRows<{ id: string; score: number }>(
      this.db,
      sql`with terms as (
            select t.lexeme, coalesce(s.chunk_count, 0) as chunk_count
            from unnest(to_tsvector('english', ${query})) as t
            left join course_term_stats s on s.lexeme = t.lexeme
          ),
          chosen as (
            select lexeme from terms
            where chunk_count <= greatest((select count(*) from course_chunks) * ${COMMON_TERM_SHARE}::float8, ${COMMON_TERM_FLOOR}::int)
            union
            select lexeme from (select lexeme from terms order by chunk_count, lexeme limit 2) as rarest
          ),
          q as (
            select to_tsquery('simple', string_agg(quote_literal(lexeme), ' | ')) as query from chosen
          )
          select c.id::text as id, ts_rank_cd(c.search_document, q.query, 1) as score
          from course_chunks c, q
          where q.query is not null and c.search_document @@ q.query
          order by score desc, c.id
          limit ${limit}`,
    );
    return rows.map((row) => ({ id: row.id, score: Number(row.score) }));
  }
}
