import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatStreamEvent, Selection, Source, ThreadMessage, ThreadSummary } from '@docent/protocol';
import { ChatClient, ChatFailure } from './chat-client.js';
import type { WidgetStrings } from './strings.js';

export interface ChatEntry {
  key: string;
  role: 'user' | 'assistant';
  content: string;
  /** `error`: the answer failed; `error` holds what to show. */
  status: 'streaming' | 'complete' | 'interrupted' | 'failed' | 'error';
  sources: Source[];
  notices: string[];
  selection?: Selection | undefined;
  /** The stored answer's id (for feedback), once the server sent it. */
  messageId?: string;
  feedback?: 'up' | 'down' | null;
  error?: { message: string; requestId: string };
  /** For an answer: the question it answers, so it can be asked again. */
  question?: { text: string; selection: Selection | undefined };
}

export interface ConversationEvents {
  onAnswer(entry: ChatEntry): void;
}

let entryCounter = 0;
const nextKey = () => `entry-${(entryCounter += 1)}`;

/**
 * The conversation behind the widget: asks, streams answers into entries, stops, retries,
 * remembers the thread across page loads (localStorage) and reopens earlier threads. All network
 * work aborts when the widget leaves the page.
 */
export class Conversation implements ReactiveController {
  entries: ChatEntry[] = [];
  threads: ThreadSummary[] | undefined;
  threadId: string | undefined;
  private client: ChatClient;
  private streaming: AbortController | undefined;
  private restored = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    serverUrl: string,
    private readonly strings: () => WidgetStrings,
    private readonly events: ConversationEvents,
  ) {
    this.client = new ChatClient(serverUrl);
    host.addController(this);
  }

  get busy(): boolean {
    return this.streaming !== undefined;
  }

  setServer(serverUrl: string): void {
    this.client = new ChatClient(serverUrl);
  }

  hostDisconnected(): void {
    this.streaming?.abort();
  }

  /** Reloads the thread this browser was in, once (on first open). */
  async restore(): Promise<void> {
    if (this.restored) return;
    this.restored = true;
    const saved = readStoredThread();
    if (saved) await this.open(saved).catch(() => undefined);
  }

  async open(threadId: string): Promise<void> {
    this.stop();
    const messages = await this.client.messages(threadId, this.strings().offline);
    if (!messages) {
      if (readStoredThread() === threadId) storeThread(undefined);
      return;
    }
    this.threadId = threadId;
    storeThread(threadId);
    this.entries = messages.map(entryFromStored);
    this.host.requestUpdate();
  }

  async loadThreads(): Promise<void> {
    this.threads = await this.client.threads(this.strings().offline).catch(() => []);
    this.host.requestUpdate();
  }

  startNew(): void {
    this.stop();
    this.threadId = undefined;
    storeThread(undefined);
    this.entries = [];
    this.host.requestUpdate();
  }

  async ask(text: string, selection: Selection | undefined, pageUrl: string): Promise<void> {
    this.stop();
    this.entries = [...this.entries, { key: nextKey(), role: 'user', content: text, status: 'complete', sources: [], notices: [], selection }];
    const answer: ChatEntry = { key: nextKey(), role: 'assistant', content: '', status: 'streaming', sources: [], notices: [], question: { text, selection } };
    this.entries = [...this.entries, answer];
    this.host.requestUpdate();

    const controller = new AbortController();
    this.streaming = controller;
    try {
      await this.client.ask({ message: text, thread_id: this.threadId, selection, page_url: pageUrl }, controller.signal, (event) => this.apply(answer, event), this.strings().offline);
      if (answer.status === 'streaming') answer.status = controller.signal.aborted ? 'interrupted' : 'complete';
    } catch (error) {
      if (controller.signal.aborted) answer.status = 'interrupted';
      else {
        const failure = error instanceof ChatFailure ? error : new ChatFailure(this.strings().offline, '', 'unknown');
        answer.status = 'error';
        answer.error = { message: failure.message, requestId: failure.requestId };
      }
    } finally {
      if (this.streaming === controller) this.streaming = undefined;
      this.host.requestUpdate();
      if (answer.status === 'complete') this.events.onAnswer(answer);
    }
  }

  stop(): void {
    this.streaming?.abort();
    this.streaming = undefined;
  }

  /** Asks the failed or stopped answer's question again, replacing that exchange. */
  async retry(entry: ChatEntry): Promise<void> {
    if (!entry.question) return;
    const index = this.entries.indexOf(entry);
    this.entries = this.entries.slice(0, Math.max(0, index - 1));
    await this.ask(entry.question.text, entry.question.selection, window.location.href);
  }

  async rate(entry: ChatEntry, rating: 'up' | 'down'): Promise<void> {
    if (!entry.messageId) return;
    entry.feedback = rating;
    this.host.requestUpdate();
    await this.client.feedback(entry.messageId, rating, this.strings().offline).catch(() => {
      entry.feedback = null;
      this.host.requestUpdate();
    });
  }

  private apply(answer: ChatEntry, event: ChatStreamEvent): void {
    switch (event.event) {
      case 'thread':
        this.threadId = event.data.thread_id;
        storeThread(event.data.thread_id);
        answer.messageId = event.data.message_id;
        break;
      case 'sources':
        answer.sources = event.data.sources;
        break;
      case 'notice':
        answer.notices = [...answer.notices, event.data.message];
        break;
      case 'delta':
        answer.content += event.data.text;
        break;
      case 'done':
        answer.status = 'complete';
        break;
      case 'error':
        answer.status = 'error';
        answer.error = { message: event.data.message, requestId: event.data.request_id };
        break;
    }
    this.host.requestUpdate();
  }
}

function entryFromStored(message: ThreadMessage): ChatEntry {
  return {
    key: nextKey(),
    role: message.role,
    content: message.content,
    status: message.status === 'streaming' ? 'interrupted' : message.status,
    sources: message.sources,
    notices: [],
    selection: message.selection ?? undefined,
    messageId: message.role === 'assistant' ? message.id : undefined,
    feedback: message.feedback,
  } as ChatEntry;
}

const THREAD_KEY = 'docent:thread';

function readStoredThread(): string | undefined {
  try {
    return localStorage.getItem(THREAD_KEY) ?? undefined;
  } catch {
    return undefined; // storage disabled (private mode, sandboxed frame): history lasts the page
  }
}

function storeThread(threadId: string | undefined): void {
  try {
    if (threadId) localStorage.setItem(THREAD_KEY, threadId);
    else localStorage.removeItem(THREAD_KEY);
  } catch {
    // see readStoredThread
  }
}
