import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HistoryStore, Owner } from '../chat/history-store.js';
import { AppError } from '../errors.js';
import type { ReaderResolver } from '../http/reader.js';
import { DEFAULT_PAGE_SIZE, pageRequest, type RequestOf } from './requests.js';
import { chatKitItem, chatKitThread, pageOf, type Page, type Thread, type ThreadItem } from './wire.js';

export type ThreadRequest =
  | RequestOf<'threads.get_by_id'>
  | RequestOf<'threads.list'>
  | RequestOf<'items.list'>
  | RequestOf<'threads.update'>
  | RequestOf<'threads.delete'>
  | RequestOf<'items.feedback'>;

export interface ThreadOperationDependencies {
  history: HistoryStore;
  readers: ReaderResolver;
  publicUrl: string;
}

type EmptyObject = Record<string, never>;

/**
 * The JSON operations, on the same stores as `/api/v1/threads`: a reader sees the same threads
 * through either protocol. Another reader's thread reads as missing (404), as there.
 */
export async function answerThreadRequest(
  deps: ThreadOperationDependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  body: ThreadRequest,
): Promise<Thread | Page<Thread> | Page<ThreadItem> | EmptyObject> {
  // No visitor cookie yet: nothing to read, and no identity is handed out just for looking.
  const owner = await deps.readers.owner(request, reply, { create: false });
  if (body.type === 'threads.list') {
    if (!owner) return { data: [], has_more: false };
    const { threads, hasMore } = await deps.history.threadsPage(owner, pageRequest(body.params));
    return pageOf(threads, hasMore, (thread) => chatKitThread(thread), (thread) => thread.id);
  }
  const thread = await ownedThread(deps.history, owner, body.params.thread_id);
  const items = (page: ReturnType<typeof pageRequest>) => itemsPage(deps, thread.id, page);
  switch (body.type) {
    case 'threads.get_by_id':
      // Like the reference server: the first page, oldest first; later ones come through items.list.
      return chatKitThread(thread, await items({ limit: DEFAULT_PAGE_SIZE, order: 'asc', after: undefined }));
    case 'items.list':
      return items(pageRequest(body.params));
    case 'threads.update': {
      await deps.history.renameThread(thread.owner, thread.id, body.params.title);
      return chatKitThread({ ...thread, title: body.params.title });
    }
    case 'threads.delete':
      await deps.history.deleteThread(thread.owner, thread.id);
      return {};
    case 'items.feedback':
      await rateAnswers(deps.history, thread.owner, thread.id, body.params.item_ids, body.params.kind === 'positive' ? 'up' : 'down');
      return {};
  }
}

async function ownedThread(history: HistoryStore, owner: Owner | undefined, threadId: string) {
  const thread = owner ? await history.findThread(owner, threadId) : undefined;
  if (!owner || !thread) throw new AppError('not_found', 'This conversation does not exist (or was deleted).');
  return { ...thread, owner };
}

async function itemsPage(deps: ThreadOperationDependencies, threadId: string, page: ReturnType<typeof pageRequest>): Promise<Page<ThreadItem>> {
  const { messages, hasMore } = await deps.history.messagesPage(threadId, page);
  return pageOf(messages, hasMore, (message) => chatKitItem(threadId, message, deps.publicUrl), (message) => message.id);
}

/** Feedback goes into Docent's own (one rating per answer); every id must be an answer in this thread. */
async function rateAnswers(history: HistoryStore, owner: Owner, threadId: string, itemIds: readonly string[], rating: 'up' | 'down'): Promise<void> {
  const answers = new Set((await history.messagesOf(threadId)).filter((message) => message.role === 'assistant').map((message) => message.id));
  const unknown = itemIds.filter((itemId) => !answers.has(itemId));
  if (unknown.length > 0) throw new AppError('not_found', `No answer ${unknown.join(', ')} in this conversation.`);
  for (const itemId of itemIds) await history.rateAnswer(owner, itemId, rating, undefined);
}
