import type { Selection, Source, ThreadMessage, ThreadSummary, Usage } from '@docent/protocol';
import { and, asc, desc, eq, gte, isNull, sql, type SQL } from 'drizzle-orm';
import type { DocentDb } from '../db/database.js';
import { feedback, messages, threads } from '../db/schema.js';

/** Who a thread belongs to: an anonymous visitor (signed cookie) or a signed-in reader. */
export type Owner = { kind: 'visitor'; id: string } | { kind: 'user'; id: string };

export type MessageStatus = 'complete' | 'streaming' | 'interrupted' | 'failed';

/** What is stored with an answer, beyond its text: enough to show it again and to study it later. */
export interface AnswerRecord {
  content: string;
  status: Exclude<MessageStatus, 'streaming'>;
  sources: readonly (Source & { score?: number | null })[];
  cited: readonly number[];
  usage: Usage;
  generator: string;
}

const TITLE_LENGTH = 80;
const THREAD_LIST_LIMIT = 100;

/** Threads, messages and feedback, always scoped to their owner: another owner's ids read as missing. */
export class HistoryStore {
  constructor(private readonly db: DocentDb) {}

  async createThread(owner: Owner, firstMessage: string): Promise<string> {
    const title = firstMessage.length > TITLE_LENGTH ? `${firstMessage.slice(0, TITLE_LENGTH - 1).trimEnd()}…` : firstMessage;
    const [row] = await this.db
      .insert(threads)
      .values({ title, ...(owner.kind === 'user' ? { userId: owner.id } : { anonymousId: owner.id }) })
      .returning({ id: threads.id });
    return (row as { id: string }).id;
  }

  async findThread(owner: Owner, threadId: string): Promise<ThreadSummary | undefined> {
    const [row] = await this.db.select().from(threads).where(and(eq(threads.id, threadId), ownedBy(owner)));
    return row ? summary(row) : undefined;
  }

  async listThreads(owner: Owner): Promise<ThreadSummary[]> {
    const rows = await this.db.select().from(threads).where(ownedBy(owner)).orderBy(desc(threads.updatedAt)).limit(THREAD_LIST_LIMIT);
    return rows.map(summary);
  }

  /** True when the thread existed and belonged to the owner. */
  async deleteThread(owner: Owner, threadId: string): Promise<boolean> {
    const deleted = await this.db.delete(threads).where(and(eq(threads.id, threadId), ownedBy(owner))).returning({ id: threads.id });
    return deleted.length > 0;
  }

  /**
   * Moves a visitor's conversations into the account they just signed in to. Exactly once: moved
   * threads belong to the account from then on, so a later sign-in (even into another account on
   * the same browser) finds nothing left to move. Returns how many moved.
   */
  async adoptVisitorThreads(visitorId: string, userId: string): Promise<number> {
    const moved = await this.db
      .update(threads)
      .set({ userId })
      .where(and(eq(threads.anonymousId, visitorId), isNull(threads.userId)))
      .returning({ id: threads.id });
    return moved.length;
  }

  /** LLM tokens the owner's answers used since `since` (for the daily budget). */
  async tokensUsedSince(owner: Owner, since: Date): Promise<number> {
    const [row] = await this.db
      .select({ total: sql<string | null>`sum(${messages.totalTokens})` })
      .from(messages)
      .innerJoin(threads, eq(threads.id, messages.threadId))
      .where(and(ownedBy(owner), gte(messages.createdAt, since)));
    return Number(row?.total ?? 0);
  }

  /** LLM tokens of the answers asked from an address (by its keyed hash) since `since`, whoever holds their threads now. */
  async tokensUsedFromAddressSince(addressHash: string, since: Date): Promise<number> {
    const [row] = await this.db
      .select({ total: sql<string | null>`sum(${messages.totalTokens})` })
      .from(messages)
      .where(and(eq(messages.addressHash, addressHash), gte(messages.createdAt, since)));
    return Number(row?.total ?? 0);
  }

  /** Marks an answer as asked from an address (its keyed hash), for the per-address daily budget. */
  async recordAnswerAddress(answerId: string, addressHash: string): Promise<void> {
    await this.db.update(messages).set({ addressHash }).where(eq(messages.id, answerId));
  }

  /** The reader's question and an empty answer placeholder, in one transaction: the ids exist before generation starts. */
  async startExchange(threadId: string, question: string, selection: Selection | undefined): Promise<{ questionId: string; answerId: string }> {
    return this.db.transaction(async (tx) => {
      const [asked] = await tx.insert(messages).values({ threadId, role: 'user', content: question, context: selection ?? null }).returning({ id: messages.id });
      // The answer is created a moment later so that it sorts after the question.
      const [answer] = await tx
        .insert(messages)
        .values({ threadId, role: 'assistant', content: '', status: 'streaming', createdAt: sql`now() + interval '1 millisecond'` })
        .returning({ id: messages.id });
      await tx.update(threads).set({ updatedAt: sql`now()` }).where(eq(threads.id, threadId));
      return { questionId: (asked as { id: string }).id, answerId: (answer as { id: string }).id };
    });
  }

  async finishAnswer(answerId: string, answer: AnswerRecord): Promise<void> {
    await this.db
      .update(messages)
      .set({
        content: answer.content,
        status: answer.status,
        sources: { sources: answer.sources, cited: answer.cited },
        usage: answer.usage,
        totalTokens: answer.usage.total_tokens,
        generator: answer.generator,
      })
      .where(eq(messages.id, answerId));
  }

  /** The thread's messages, oldest first, with the owner's feedback on each answer. */
  async messagesOf(threadId: string): Promise<ThreadMessage[]> {
    const rows = await this.db
      .select({ message: messages, rating: feedback.rating })
      .from(messages)
      .leftJoin(feedback, eq(feedback.messageId, messages.id))
      .where(eq(messages.threadId, threadId))
      .orderBy(asc(messages.createdAt), asc(messages.role));
    return rows.map(threadMessage);
  }

  /**
   * One page of the owner's threads by creation time, for clients that page with a cursor (ChatKit):
   * `after` is the id of the previous page's last thread; the page starts strictly after it.
   */
  async threadsPage(owner: Owner, page: PageRequest): Promise<{ threads: ThreadSummary[]; hasMore: boolean }> {
    const rows = await this.db
      .select()
      .from(threads)
      .where(and(ownedBy(owner), page.after === undefined ? undefined : afterCursor(sql`(${threads.createdAt}, ${threads.id})`, sql`(select t.created_at, t.id from threads t where t.id = ${page.after})`, page.order)))
      .orderBy(...(page.order === 'asc' ? [asc(threads.createdAt), asc(threads.id)] : [desc(threads.createdAt), desc(threads.id)]))
      .limit(page.limit + 1);
    return { threads: rows.slice(0, page.limit).map(summary), hasMore: rows.length > page.limit };
  }

  /** One page of a thread's messages by creation time; the cursor works as in `threadsPage`. */
  async messagesPage(threadId: string, page: PageRequest): Promise<{ messages: ThreadMessage[]; hasMore: boolean }> {
    const rows = await this.db
      .select({ message: messages, rating: feedback.rating })
      .from(messages)
      .leftJoin(feedback, eq(feedback.messageId, messages.id))
      .where(and(eq(messages.threadId, threadId), page.after === undefined ? undefined : afterCursor(sql`(${messages.createdAt}, ${messages.id})`, sql`(select m.created_at, m.id from messages m where m.id = ${page.after})`, page.order)))
      .orderBy(...(page.order === 'asc' ? [asc(messages.createdAt), asc(messages.id)] : [desc(messages.createdAt), desc(messages.id)]))
      .limit(page.limit + 1);
    return { messages: rows.slice(0, page.limit).map(threadMessage), hasMore: rows.length > page.limit };
  }

  /** True when the thread existed and belonged to the owner. */
  async renameThread(owner: Owner, threadId: string, title: string): Promise<boolean> {
    const renamed = await this.db.update(threads).set({ title }).where(and(eq(threads.id, threadId), ownedBy(owner))).returning({ id: threads.id });
    return renamed.length > 0;
  }

  /**
   * For answering a question again: removes every message after it (the old answer and anything
   * later) and adds an empty answer placeholder, in one transaction. Returns the removed ids.
   */
  async restartAfter(threadId: string, questionId: string): Promise<{ answerId: string; removedIds: string[] }> {
    return this.db.transaction(async (tx) => {
      const removed = await tx
        .delete(messages)
        .where(and(eq(messages.threadId, threadId), afterCursor(sql`(${messages.createdAt}, ${messages.id})`, sql`(select m.created_at, m.id from messages m where m.id = ${questionId})`, 'asc')))
        .returning({ id: messages.id });
      const [answer] = await tx.insert(messages).values({ threadId, role: 'assistant', content: '', status: 'streaming' }).returning({ id: messages.id });
      await tx.update(threads).set({ updatedAt: sql`now()` }).where(eq(threads.id, threadId));
      return { answerId: (answer as { id: string }).id, removedIds: removed.map((row) => row.id) };
    });
  }

  /** Rates an answer in one of the owner's threads; rating again replaces the earlier rating. False when no such answer. */
  async rateAnswer(owner: Owner, messageId: string, rating: 'up' | 'down', comment: string | undefined): Promise<boolean> {
    const owned = await this.db
      .select({ id: messages.id })
      .from(messages)
      .innerJoin(threads, eq(threads.id, messages.threadId))
      .where(and(eq(messages.id, messageId), eq(messages.role, 'assistant'), ownedBy(owner)));
    if (owned.length === 0) return false;
    await this.db
      .insert(feedback)
      .values({ messageId, rating, comment: comment ?? null })
      .onConflictDoUpdate({ target: feedback.messageId, set: { rating, comment: comment ?? null, updatedAt: sql`now()` } });
    return true;
  }
}

function ownedBy(owner: Owner): SQL {
  return owner.kind === 'user'
    ? eq(threads.userId, owner.id)
    : (and(eq(threads.anonymousId, owner.id), isNull(threads.userId)) as SQL);
}

/** A page of a cursor-paged list: at most `limit` rows, ordered by creation time. */
export interface PageRequest {
  limit: number;
  order: 'asc' | 'desc';
  /** The id of the previous page's last row; an id that does not exist gives an empty page. */
  after: string | undefined;
}

/** `(created_at, id)` strictly after (in `order`) the cursor row's; ties in time are broken by id. */
function afterCursor(key: SQL, cursor: SQL, order: 'asc' | 'desc'): SQL {
  return order === 'asc' ? sql`${key} > ${cursor}` : sql`${key} < ${cursor}`;
}

function threadMessage({ message, rating }: { message: typeof messages.$inferSelect; rating: 'up' | 'down' | null }): ThreadMessage {
  return {
    id: message.id,
    role: message.role,
    content: message.content,
    status: message.status,
    selection: (message.context as Selection | null) ?? null,
    sources: ((message.sources as { sources?: Source[] } | null)?.sources ?? []).map(({ id, kind, title, chapter, url, snippet }) => ({ id, kind, title, chapter, url, snippet })),
    feedback: rating ?? null,
    created_at: message.createdAt.toISOString(),
  };
}

function summary(row: typeof threads.$inferSelect): ThreadSummary {
  return { id: row.id, title: row.title ?? 'Untitled', created_at: row.createdAt.toISOString(), updated_at: row.updatedAt.toISOString() };
}
