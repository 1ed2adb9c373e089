import type { ChatStreamEvent, Source } from '@docent/protocol';
import { assistantMessageItem, outputText, type ChatKitEvent, type OutputText } from './wire.js';

/** The single content part Docent's answers have. */
const CONTENT_INDEX = 0;

/**
 * Turns Docent's answer stream (thread, sources, notice, delta, done, error) into the protocol's
 * assistant-message sequence: item added → content part added → text deltas → annotations → part
 * done → item done. Notices and errors become the protocol's own events; an error names the
 * request ID so a reader can quote it.
 */
export class AnswerTranslator {
  private answerId: string | undefined;
  private createdAt = new Date().toISOString();
  private sources: Source[] = [];
  private text = '';

  constructor(
    private readonly threadId: string,
    private readonly publicUrl: string,
  ) {}

  translate(event: ChatStreamEvent): ChatKitEvent[] {
    switch (event.event) {
      case 'thread':
        return this.start(event.data.message_id);
      case 'sources':
        this.sources = event.data.sources;
        return [];
      case 'notice':
        // "Not covered" is information about the answer; degraded search and indexing are caveats.
        return [{ type: 'notice', level: event.data.code === 'not_covered' ? 'info' : 'warning', message: event.data.message }];
      case 'delta':
        this.text += event.data.text;
        return this.answerId === undefined ? [] : [{ type: 'thread.item.updated', item_id: this.answerId, update: { type: 'assistant_message.content_part.text_delta', content_index: CONTENT_INDEX, delta: event.data.text } }];
      case 'done':
        return this.finish();
      case 'error':
        return [{ type: 'error', code: 'custom', message: `${event.data.message} (request ID: ${event.data.request_id})`, allow_retry: true }];
    }
  }

  private start(answerId: string): ChatKitEvent[] {
    this.answerId = answerId;
    this.createdAt = new Date().toISOString();
    const empty: OutputText = { type: 'output_text', text: '', annotations: [] };
    return [
      { type: 'thread.item.added', item: { ...assistantMessageItem(this.threadId, { id: answerId, created_at: this.createdAt, content: empty }), content: [] } },
      { type: 'thread.item.updated', item_id: answerId, update: { type: 'assistant_message.content_part.added', content_index: CONTENT_INDEX, content: empty } },
    ];
  }

  private finish(): ChatKitEvent[] {
    const answerId = this.answerId;
    if (answerId === undefined) return [];
    const content = outputText(this.text, this.sources, this.publicUrl);
    return [
      ...content.annotations.map((annotation, index): ChatKitEvent => ({
        type: 'thread.item.updated',
        item_id: answerId,
        update: { type: 'assistant_message.content_part.annotation_added', content_index: CONTENT_INDEX, annotation_index: index, annotation },
      })),
      { type: 'thread.item.updated', item_id: answerId, update: { type: 'assistant_message.content_part.done', content_index: CONTENT_INDEX, content } },
      { type: 'thread.item.done', item: assistantMessageItem(this.threadId, { id: answerId, created_at: this.createdAt, content }) },
    ];
  }
}
