import type { Source, ThreadMessage, ThreadSummary } from '@docent/protocol';

/**
 * What Docent sends a ChatKit front end: the subset of the protocol's threads, items and events it
 * uses (the full contract: PROTOCOL.md and its JSON Schema, which the tests check every one against).
 * Like the reference server, fields without a value are left out rather than sent as `null`.
 */
export interface Page<Item> {
  data: Item[];
  has_more: boolean;
  after?: string;
}

export interface UrlSource {
  type: 'url';
  title: string;
  url: string;
  description?: string;
  group?: string;
}

export interface Annotation {
  type: 'annotation';
  source: UrlSource;
  /** Where in the text the footnote marker goes (just after Docent's `[n]` marker). */
  index: number;
}

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: Annotation[];
}

export interface UserMessageItem {
  id: string;
  thread_id: string;
  created_at: string;
  type: 'user_message';
  content: { type: 'input_text'; text: string }[];
  attachments: [];
  quoted_text?: string;
  inference_options: Record<string, never>;
}

export interface AssistantMessageItem {
  id: string;
  thread_id: string;
  created_at: string;
  type: 'assistant_message';
  content: OutputText[];
}

export type ThreadItem = UserMessageItem | AssistantMessageItem;

export interface Thread {
  id: string;
  title?: string;
  created_at: string;
  status: { type: 'active' };
  metadata: Record<string, never>;
  items: Page<ThreadItem>;
}

type ItemUpdate =
  | { type: 'assistant_message.content_part.added'; content_index: number; content: OutputText }
  | { type: 'assistant_message.content_part.text_delta'; content_index: number; delta: string }
  | { type: 'assistant_message.content_part.annotation_added'; content_index: number; annotation_index: number; annotation: Annotation }
  | { type: 'assistant_message.content_part.done'; content_index: number; content: OutputText };

export type ChatKitEvent =
  | { type: 'thread.created'; thread: Thread }
  | { type: 'thread.item.added'; item: ThreadItem }
  | { type: 'thread.item.updated'; item_id: string; update: ItemUpdate }
  | { type: 'thread.item.done'; item: ThreadItem }
  | { type: 'thread.item.removed'; item_id: string }
  | { type: 'stream_options'; stream_options: { allow_cancel: boolean } }
  | { type: 'progress_update'; text: string; icon?: string }
  | { type: 'notice'; level: 'info' | 'warning' | 'danger'; message: string; title?: string }
  | { type: 'error'; code: string; message?: string; allow_retry: boolean };

export const EMPTY_PAGE: Page<never> = { data: [], has_more: false };

/** A page of rows as the protocol pages: `after` (the last id) only when there is more. */
export function pageOf<Row, Item>(rows: readonly Row[], hasMore: boolean, toItem: (row: Row) => Item, idOf: (row: Row) => string): Page<Item> {
  const last = rows.at(-1);
  return { data: rows.map(toItem), has_more: hasMore, ...(hasMore && last !== undefined ? { after: idOf(last) } : {}) };
}

export function chatKitThread(thread: ThreadSummary, items: Page<ThreadItem> = EMPTY_PAGE): Thread {
  return { id: thread.id, title: thread.title, created_at: thread.created_at, status: { type: 'active' }, metadata: {}, items };
}

export function userMessageItem(threadId: string, message: Pick<ThreadMessage, 'id' | 'content' | 'selection' | 'created_at'>): UserMessageItem {
  return {
    id: message.id,
    thread_id: threadId,
    created_at: message.created_at,
    type: 'user_message',
    content: [{ type: 'input_text', text: message.content }],
    attachments: [],
    ...(message.selection ? { quoted_text: message.selection.text } : {}),
    inference_options: {},
  };
}

/** Docent's answer as an assistant message: its text, with each cited source as an annotation. */
export function assistantMessageItem(threadId: string, message: { id: string; created_at: string; content: OutputText }): AssistantMessageItem {
  return { id: message.id, thread_id: threadId, created_at: message.created_at, type: 'assistant_message', content: [message.content] };
}

/** A stored message as a ChatKit item; `publicUrl` makes course links absolute (the ChatKit UI runs on another origin). */
export function chatKitItem(threadId: string, message: ThreadMessage, publicUrl: string): ThreadItem {
  if (message.role === 'user') return userMessageItem(threadId, message);
  return assistantMessageItem(threadId, { id: message.id, created_at: message.created_at, content: outputText(message.content, message.sources, publicUrl) });
}

/**
 * The answer text with an annotation per source it cites: Docent marks citations as `[n]`; the
 * footnote goes right after the first marker of each source, in the order they appear.
 */
export function outputText(text: string, sources: readonly Source[], publicUrl: string): OutputText {
  const cited = sources
    .map((source) => ({ source, at: text.indexOf(`[${source.id}]`) }))
    .filter(({ at }) => at !== -1)
    .sort((a, b) => a.at - b.at);
  const annotations = cited.map(({ source, at }): Annotation => ({ type: 'annotation', source: urlSource(source, publicUrl), index: at + `[${source.id}]`.length }));
  return { type: 'output_text', text, annotations };
}

function urlSource(source: Source, publicUrl: string): UrlSource {
  return {
    type: 'url',
    title: source.title,
    // Course routes are site-relative (`/docs/…#section`); the page with the selection is absolute already.
    url: absoluteUrl(source.url, publicUrl),
    ...(source.chapter === '' ? {} : { description: source.chapter }),
    group: source.kind === 'selection' ? 'Your selection' : 'Course',
  };
}

function absoluteUrl(url: string, publicUrl: string): string {
  try {
    return new URL(url, `${publicUrl}/`).toString();
  } catch {
    return url;
  }
}
