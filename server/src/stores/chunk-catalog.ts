import { inArray, sql } from 'drizzle-orm';
import { queryRows, type DocentDb } from '../db/database.js';
import { courseChunks } from '../db/schema.js';
import type { ChunkPayload, ScoredId } from './vector-store.js';

export interface CatalogChunk extends ChunkPayload {
  id: string;
  position: number;
}

const WRITE_BATCH = 200;
/** A term in more than this share of all chunks is too common to find candidates by... */
const CANDIDATE_TERM_SHARE = 0.1;
/** ...unless the course is so small that this many chunks is still a useful match. */
const CANDIDATE_TERM_FLOOR = 20;
/**
 * Candidates scored in full BM25, per wanted result (at least PRESELECT_MIN), chosen by the IDF of
 * the query terms they hold: on 20,000 chunks a query's terms find thousands of passages, and
 * reading every one cost 60–270 ms (npm run bench:retrieval).
 */
const PRESELECT_PER_RESULT = 10;
const PRESELECT_MIN = 200;
/** BM25's usual term-frequency saturation and length normalisation. */
const BM25_K1 = 1.2;
const BM25_B = 0.75;
/** A query word in a passage's heading path (or chapter title) counts this many times a body word. */
const HEADING_WEIGHT = 3;
/** Query terms in the emphasised part (a follow-up's own words, beside the topic it borrows) weigh this much more. */
const EMPHASIS_WEIGHT = 2;

export interface TextMatch extends ScoredId {
  /** Share (0–1) of the query's IDF weight found in the passage. */
  coverage: number;
}

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

  /** The source file of the page at `route` (a URL path without `#anchor`), if it is a course page. */
  async docPathAt(route: string): Promise<string | undefined> {
    const bare = route.replace(/\/+$/, '');
    const [row] = await queryRows<{ doc_path: string }>(
      this.db,
      sql`select doc_path from course_chunks where split_part(url, '#', 1) in (${bare}, ${`${bare}/`}) limit 1`,
    );
    return row?.doc_path;
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
   * Full-text search ranked by BM25: each query term weighs by its rarity in the course (IDF), its
   * count in a passage saturates (k1), and long passages are normalised to the average (b);
   * heading and chapter words count HEADING_WEIGHT times (a BM25F-style field boost). Stemming
   * and stop words are PostgreSQL's English configuration. Candidates are the passages holding at
   * least one term found in at most CANDIDATE_TERM_SHARE of the chunks (or, when every term is
   * common, its two rarest), so a common word never makes a query rank the whole course. The
   * PRESELECT candidates holding the most of those terms' IDF (found by one index lookup per term,
   * without reading the passages) are then scored with every query term. `coverage` is the share of the query's
   * IDF weight the passage holds (a query word the course never uses weighs most): how much of what
   * was asked the passage speaks of at all, comparable across courses, unlike the BM25 score.
   */
  async searchText(query: string, limit: number, emphasis = ''): Promise<TextMatch[]> {
    const rows = await queryRows<{ id: string; score: number; coverage: number }>(
      this.db,
      sql`with stats as (
            select chunk_count::float8 as n, average_length::float8 as average_length from course_search_stats where id = 1
            union all
            select count(*)::float8, coalesce(avg(length(search_document)), 1)::float8 from course_chunks
            having not exists (select 1 from course_search_stats where id = 1)
          ),
          terms as (
            select t.lexeme, coalesce(s.chunk_count, 0) as chunk_count,
                   ln(1 + ((select n from stats) - coalesce(s.chunk_count, 0) + 0.5) / (coalesce(s.chunk_count, 0) + 0.5))
                     * (case when t.lexeme in (select e.lexeme from unnest(to_tsvector('english', ${emphasis})) as e) then ${EMPHASIS_WEIGHT}::float8 else 1 end) as idf,
                   coalesce(s.chunk_count, 0) > 0
                     and s.chunk_count <= greatest((select n from stats) * ${CANDIDATE_TERM_SHARE}::float8, ${CANDIDATE_TERM_FLOOR}::int) as selective,
                   to_tsquery('simple', quote_literal(t.lexeme)) as term_query
            from unnest(to_tsvector('english', ${query})) as t
            left join course_term_stats s on s.lexeme = t.lexeme
          ),
          chosen as (
            select lexeme from terms where selective
            union all
            select lexeme from (select lexeme from terms where chunk_count > 0 order by chunk_count, lexeme limit 2) as rarest
            where not exists (select 1 from terms where selective)
            union all
            -- Term statistics not computed yet (chunks written, refresh pending): every term finds.
            select lexeme from terms where not exists (select 1 from terms where chunk_count > 0)
          ),
          -- Which chosen terms each passage holds, one index lookup per term: the passages
          -- themselves are not read. Only the best by that measure are scored in full (reading
          -- a passage's terms is the costly part).
          matched as (
            select c.id, sum(terms.idf) as matched_idf
            from terms
            join chosen on chosen.lexeme = terms.lexeme
            join course_chunks c on c.search_document @@ terms.term_query
            group by c.id
            order by matched_idf desc, c.id
            limit greatest(${limit}::int * ${PRESELECT_PER_RESULT}::int, ${PRESELECT_MIN}::int)
          ),
          frequencies as (
            select matched.id, length(c.search_document)::float8 as length, terms.idf,
                   coalesce(cardinality(array_positions(u.weights, 'B')), 0)
                     + ${HEADING_WEIGHT}::float8 * coalesce(cardinality(array_positions(u.weights, 'A')), 0) as frequency
            from matched
            join course_chunks c on c.id = matched.id
            cross join lateral unnest(c.search_document) as u
            join terms on terms.lexeme = u.lexeme
          )
          select f.id::text as id,
                 sum(f.idf * f.frequency * (${BM25_K1}::float8 + 1)
                     / (f.frequency + ${BM25_K1}::float8 * (1 - ${BM25_B}::float8 + ${BM25_B}::float8 * f.length / greatest((select average_length from stats), 1)))) as score,
                 sum(f.idf) / greatest((select sum(idf) from terms), 1e-9) as coverage
          from frequencies f
          group by f.id
          order by score desc, f.id
          limit ${limit}`,
    );
    return rows.map((row) => ({ id: row.id, score: Number(row.score), coverage: Number(row.coverage) }));
  }
}
