/** One message of the conversation as the reader sees it: text, notices, sources and actions. */
import { html, nothing, type TemplateResult } from 'lit';
import type { ChatEntry, Conversation } from './conversation.js';
import { thumbDownIcon, thumbUpIcon } from './icons.js';
import { renderMarkdown, safeUrl } from './markdown.js';
import type { WidgetStrings } from './strings.js';

export function renderEntry(entry: ChatEntry, strings: WidgetStrings, conversation: Conversation): TemplateResult {
  if (entry.role === 'user') {
    return html`<div class="message user">${entry.selection ? html`<div class="quote">${entry.selection.text}</div>` : nothing}${entry.content}</div>`;
  }
  const context = {
    sources: entry.sources,
    resolveUrl: (url: string) => new URL(url, window.location.href).href,
    onCopy: (code: string) => void navigator.clipboard?.writeText(code),
    copyLabel: strings.copy,
    citationLabel: (source: { title: string; chapter: string }) => strings.citation(source.title, source.chapter),
  };
  return html`<div class="message assistant" aria-busy=${entry.status === 'streaming'}>
    ${entry.notices.map((notice) => html`<p class="notice">${notice}</p>`)}
    ${renderMarkdown(entry.content, context)}
    ${entry.status === 'interrupted' ? html`<p class="notice">${strings.stopped}</p>` : nothing}
    ${entry.error ? html`<p class="error" role="alert">${entry.error.requestId ? strings.errorWithId(entry.error.message, entry.error.requestId) : entry.error.message}</p>` : nothing}
    ${entry.sources.length > 0 && entry.status !== 'streaming' ? renderSources(entry, strings, context.resolveUrl) : nothing}
    ${renderActions(entry, strings, conversation)}
  </div>`;
}

function renderSources(entry: ChatEntry, strings: WidgetStrings, resolveUrl: (url: string) => string): TemplateResult {
  return html`<details class="sources">
    <summary>${strings.sources} (${entry.sources.length})</summary>
    <ol>
      ${entry.sources.map((source) => {
        const href = safeUrl(resolveUrl(source.url));
        const label = strings.citation(source.title, source.chapter);
        return html`<li value=${source.id}>${href === undefined ? label : html`<a href=${href} target="_top">${label}</a>`}</li>`;
      })}
    </ol>
  </details>`;
}

function renderActions(entry: ChatEntry, strings: WidgetStrings, conversation: Conversation): TemplateResult | typeof nothing {
  if (entry.status === 'error' || entry.status === 'interrupted') {
    return html`<div class="actions"><button type="button" @click=${() => void conversation.retry(entry)}>${strings.retry}</button></div>`;
  }
  if (entry.status !== 'complete' || !entry.messageId) return nothing;
  const rate = (rating: 'up' | 'down') => () => void conversation.rate(entry, rating);
  return html`<div class="actions">
    <button type="button" aria-pressed=${entry.feedback === 'up'} aria-label=${strings.thumbsUp} title=${strings.thumbsUp} @click=${rate('up')}>${thumbUpIcon}</button>
    <button type="button" aria-pressed=${entry.feedback === 'down'} aria-label=${strings.thumbsDown} title=${strings.thumbsDown} @click=${rate('down')}>${thumbDownIcon}</button>
    ${entry.feedback ? html`<span>${strings.thanks}</span>` : nothing}
  </div>`;
}
