import { sql } from 'drizzle-orm';
import { queryRows, type DocentDb } from '../../db/database.js';
import { BM25_B, BM25_K1, CANDIDATE_TERM_FLOOR, CANDIDATE_TERM_SHARE, EMPHASIS_WEIGHT, HEADING_WEIGHT, RAREST_TERMS_WHEN_ALL_COMMON } from './bm25.js';
import type { TextMatch } from './lexical-index.js';

/**
 * Candidates scored in full BM25, per wanted result (at least PRESELECT_MIN), chosen by the IDF of
 * the query terms they hold: on 20,000 chunks a query's terms find thousands of passages, and
 * reading every one cost 60–270 ms (npm run bench:retrieval).
 */
const PRESELECT_PER_RESULT = 10;
const PRESELECT_MIN = 200;

/**
 * Full-text search ranked by BM25, in SQL: what answers while a process's in-memory index
 * (lexical-index.ts) is being built or is out of date, and the reference that index is tested
 * against. Each query term weighs by its rarity in the course (IDF), its count in a passage
 * saturates (k1), and long passages are normalised to the average (b); heading and chapter words
 * count HEADING_WEIGHT times (a BM25F-style field boost). Stemming and stop words are
 * PostgreSQL's English configuration. Candidates are the passages holding at least one term found
 * in at most CANDIDATE_TERM_SHARE of the chunks (or, when every term is common, its two rarest),
 * so a common word never makes a query rank the whole course. The PRESELECT candidates holding the
 * most of those terms' IDF (found by one index lookup per term, without reading the passages) are
 * then scored with every query term. `coverage` is the share of the query's IDF weight the
 * passage holds (a query word the course never uses weighs most): how much of what was asked the
 * passage speaks of at all, comparable across courses, unlike the BM25 score.
 */
export async function searchTextInDatabase(db: DocentDb, query: string, limit: number, emphasis = ''): Promise<TextMatch[]> {
  const rows = await queryRows<{ id: string; score: number; coverage: number }>(
    db,
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
                 -- The lexeme itself as a query: to_tsquery would parse it again, turning a compound
                 -- ("vision-language-action", a URL) into a phrase of unstemmed parts that never matches.
                 -- (chr(39) is a quote, chr(92) a backslash: both are escaped inside a quoted lexeme.)
                 (chr(39) || replace(replace(t.lexeme, chr(92), chr(92) || chr(92)), chr(39), chr(39) || chr(39)) || chr(39))::tsquery as term_query
          from unnest(to_tsvector('english', ${query})) as t
          left join course_term_stats s on s.lexeme = t.lexeme
        ),
        chosen as (
          select lexeme from terms where selective
          union all
          select lexeme from (select lexeme from terms where chunk_count > 0 order by chunk_count, lexeme limit ${RAREST_TERMS_WHEN_ALL_COMMON}::int) as rarest
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
