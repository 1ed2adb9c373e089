import type { Selection } from '@docent/protocol';
import { withoutCodeBlocks } from '@docent/ingest';
import type { GroundingSource } from './generator.js';
import type { RetrievedChunk } from '../retrieval/retrieve.js';

const SNIPPET_LENGTH = 240;

/** The passages an answer may cite, numbered from 1: the reader's selection first, then course sections. */
export function numberSources(chunks: readonly RetrievedChunk[], selection: Selection | undefined): GroundingSource[] {
  const sources: GroundingSource[] = [];
  if (selection) {
    sources.push({
      id: 1,
      kind: 'selection',
      title: 'Your selection',
      chapter: selection.heading ?? '',
      url: selection.page_url,
      snippet: snippetOf(selection.text),
      text: selection.text,
    });
  }
  for (const chunk of chunks) {
    sources.push({
      id: sources.length + 1,
      kind: 'course',
      title: sectionTitle(chunk),
      chapter: chunk.chapter,
      url: chunk.url,
      snippet: snippetOf(chunk.text),
      text: chunk.text,
      score: chunk.score,
    });
  }
  return sources;
}

/** The innermost heading, or the chapter for a page's introduction. */
function sectionTitle(chunk: Pick<RetrievedChunk, 'heading' | 'chapter'>): string {
  return chunk.heading === '' ? chunk.chapter : (chunk.heading.split(' › ').at(-1) ?? chunk.heading);
}

/** The start of a passage as one line, cut at a word boundary. */
export function snippetOf(text: string): string {
  const flat = withoutCodeBlocks(text).replace(/\s+/g, ' ').trim();
  if (flat.length <= SNIPPET_LENGTH) return flat;
  const cut = flat.slice(0, SNIPPET_LENGTH);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), SNIPPET_LENGTH / 2))}…`;
}
