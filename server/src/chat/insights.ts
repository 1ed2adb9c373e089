import type { Insights } from '@docent/protocol';
import { sql } from 'drizzle-orm';
import { queryRows, type DocentDb } from '../db/database.js';

const TOP_SOURCES = 10;

/**
 * What readers did with Docent since a moment: questions, answers by outcome, feedback, tokens and
 * the course sections answers cited most. Counts only — no question text, no reader identity.
 */
export async function readInsights(db: DocentDb, since: Date): Promise<Insights> {
  const [counts] = await queryRows<Record<string, string | number | null>>(
    db,
    sql`select
      (select count(*) from messages where role = 'user' and created_at >= ${since}) as questions,
      (select count(*) from threads where created_at >= ${since}) as threads,
      (select count(*) from users) as accounts,
      (select count(*) from messages where role = 'assistant' and status = 'complete' and created_at >= ${since}) as complete,
      (select count(*) from messages where role = 'assistant' and status = 'interrupted' and created_at >= ${since}) as interrupted,
      (select count(*) from messages where role = 'assistant' and status = 'failed' and created_at >= ${since}) as failed,
      (select count(*) from feedback where rating = 'up' and updated_at >= ${since}) as up,
      (select count(*) from feedback where rating = 'down' and updated_at >= ${since}) as down,
      (select coalesce(sum(total_tokens), 0) from messages where created_at >= ${since}) as tokens`,
  );
  const topSources = await queryRows<{ url: string; title: string; citations: string | number }>(
    db,
    sql`select source->>'url' as url, min(source->>'title') as title, count(*) as citations
      from messages, jsonb_array_elements(messages.sources->'sources') as source
      where messages.role = 'assistant' and messages.created_at >= ${since}
        and source->>'kind' = 'course'
        and (messages.sources->'cited') @> jsonb_build_array(source->'id')
      group by source->>'url'
      order by citations desc, url
      limit ${TOP_SOURCES}`,
  );
  const count = (name: string) => Number(counts?.[name] ?? 0);
  return {
    since: since.toISOString(),
    questions: count('questions'),
    threads: count('threads'),
    accounts: count('accounts'),
    answers: { complete: count('complete'), interrupted: count('interrupted'), failed: count('failed') },
    feedback: { up: count('up'), down: count('down') },
    tokens_used: count('tokens'),
    top_sources: topSources.map((row) => ({ url: row.url, title: row.title, citations: Number(row.citations) })),
  };
}
