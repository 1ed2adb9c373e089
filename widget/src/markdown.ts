import { html, nothing, type TemplateResult } from 'lit';
import type { Source } from '@docent/protocol';
import { highlight } from './highlight.js';

/**
 * A small Markdown renderer for answers, safe by construction: it builds Lit templates, never an
 * HTML string, so text from answers, sources or selections is always inserted as text — a `<script>`
 * in an answer shows as the characters `<script>`. Links keep only http(s), relative and in-page
 * targets. `[n]` markers become chips linking to source n.
 */

export interface RenderContext {
  sources: readonly Source[];
  /** Turns a source's URL (often a route such as `/docs/x#y`) into the link to follow. */
  resolveUrl: (url: string) => string;
  onCopy: (code: string) => void;
  copyLabel: string;
  citationLabel: (source: Source) => string;
}

type Block = { kind: 'code'; language: string; text: string } | { kind: 'list'; ordered: boolean; items: string[] } | { kind: 'heading' | 'quote' | 'paragraph'; text: string };

export function renderMarkdown(markdown: string, context: RenderContext): TemplateResult {
  return html`${parseBlocks(markdown).map((block) => renderBlock(block, context))}`;
}

function parseBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', text: paragraph.join(' ') });
    paragraph = [];
  };
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const fence = /^\s*(```+|~~~+)\s*([\w+-]*)/.exec(line);
    if (fence) {
      flush();
      const code: string[] = [];
      // An unclosed fence (still streaming) runs to the end of the text.
      for (index += 1; index < lines.length && !(lines[index] ?? '').trim().startsWith(fence[1] ?? '```'); index += 1) code.push(lines[index] ?? '');
      blocks.push({ kind: 'code', language: fence[2] ?? '', text: code.join('\n') });
      continue;
    }
    const item = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/.exec(line);
    if (item) {
      flush();
      const ordered = item[2] !== undefined;
      const previous = blocks.at(-1);
      if (previous?.kind === 'list' && previous.ordered === ordered) previous.items.push(item[3] ?? '');
      else blocks.push({ kind: 'list', ordered, items: [item[3] ?? ''] });
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    const quote = /^>\s?(.*)$/.exec(line);
    if (heading || quote) {
      flush();
      blocks.push({ kind: heading ? 'heading' : 'quote', text: (heading ?? quote)?.[1] ?? '' });
    } else if (line.trim() === '') flush();
    else paragraph.push(line.trim());
  }
  flush();
  return blocks;
}

function renderBlock(block: Block, context: RenderContext): TemplateResult {
  switch (block.kind) {
    case 'code':
      // The Copy button sits in a bar of its own above the code, so it never covers a line's end.
      return html`<div class="code">
        <div class="code-bar"><span>${block.language}</span><button type="button" class="copy" @click=${() => context.onCopy(block.text)}>${context.copyLabel}</button></div>
        <pre tabindex="0"><code data-language=${block.language || nothing}>${highlight(block.text, block.language)}</code></pre>
      </div>`;
    case 'list': {
      const items = block.items.map((item) => html`<li>${renderInline(item, context)}</li>`);
      return block.ordered ? html`<ol>${items}</ol>` : html`<ul>${items}</ul>`;
    }
    case 'heading':
      return html`<p class="heading"><strong>${renderInline(block.text, context)}</strong></p>`;
    case 'quote':
      return html`<blockquote>${renderInline(block.text, context)}</blockquote>`;
    case 'paragraph':
      return html`<p>${renderInline(block.text, context)}</p>`;
  }
}

/** Inline code, links, citations, bold and italic; everything else is text. */
// Underscore emphasis only at word edges: `two_link_arm.urdf` is a name, not italics.
const INLINE = /`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)|\[(\d{1,3})\]|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|(?<![\w])_([^_\s][^_]*)_(?![\w])/g;

function renderInline(text: string, context: RenderContext): (TemplateResult | string)[] {
  const parts: (TemplateResult | string)[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const index = match.index;
    if (index > last) parts.push(text.slice(last, index));
    last = index + match[0].length;
    const [, code, linkText, linkUrl, citation, bold, italic, underscored] = match;
    if (code !== undefined) parts.push(html`<code>${code}</code>`);
    else if (linkText !== undefined && linkUrl !== undefined) parts.push(renderLink(linkText, linkUrl, context));
    else if (citation !== undefined) parts.push(renderCitation(Number(citation), context) ?? match[0]);
    else if (bold !== undefined) parts.push(html`<strong>${renderInline(bold, context)}</strong>`);
    else parts.push(html`<em>${renderInline(italic ?? underscored ?? '', context)}</em>`);
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/**
 * A link the answer writes is clickable only when it leads to the course site itself or to a host
 * one of the answer's sources lives on; any other host (a model can be talked into inventing one)
 * shows as text with the host visible, never as a link that replaces the course page.
 */
function renderLink(text: string, url: string, context: RenderContext): TemplateResult | string {
  const safe = safeUrl(context.resolveUrl(url));
  if (safe === undefined) return text;
  const host = new URL(safe).host;
  const trusted = host === window.location.host || context.sources.some((source) => hostOf(context.resolveUrl(source.url)) === host);
  return trusted ? html`<a href=${safe} target="_top">${text}</a>` : `${text} (${host})`;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

function renderCitation(id: number, context: RenderContext): TemplateResult | undefined {
  const source = context.sources.find((candidate) => candidate.id === id);
  if (!source) return undefined;
  const href = safeUrl(context.resolveUrl(source.url));
  const label = context.citationLabel(source);
  return href === undefined
    ? html`<span class="citation" title=${label}>${id}</span>`
    : html`<a class="citation" href=${href} target="_top" title=${label} aria-label=${label}>${id}</a>`;
}

/** Only web links and in-site paths: `javascript:`, `data:` and the like never become links. */
export function safeUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}
