/**
 * Splits a parsed document into search chunks of about 200–400 tokens: one per section when it
 * fits, otherwise consecutive pieces of a section with a small overlap. A chunk never spans two
 * sections, so its anchor always points at the text it holds, and never spans two documents.
 */
import { createHash } from 'node:crypto';
import { openingFence } from './code-fence.js';
import type { ParsedDocument } from './parse-document.js';
import { isTableBlock, isTableLine } from './table-text.js';

export interface CourseChunk {
  /** The passage as a reader would read it (what citations quote). */
  text: string;
  /** The chapter (document) title. */
  chapter: string;
  /** Page route plus `#anchor`: where a citation links to. */
  url: string;
  /** The heading path, `Section › Subsection`; '' for a page's introduction. */
  heading: string;
  anchor: string;
  doc_path: string;
  /** SHA-256 of everything that shapes the chunk's vector and payload; unchanged hash → skip. */
  content_hash: string;
  /** Order within the document. */
  position: number;
}

export interface ChunkOptions {
  maxTokens: number;
  overlapTokens: number;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { maxTokens: 400, overlapTokens: 40 };

/** About four characters per token for English prose and code: close enough to size chunks. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export function chunkDocument(document: ParsedDocument, options: ChunkOptions = DEFAULT_CHUNK_OPTIONS): CourseChunk[] {
  const chunks: CourseChunk[] = [];
  for (const section of document.sections) {
    const heading = section.headingPath.join(' › ');
    const url = section.anchor === '' ? document.route : `${document.route}#${section.anchor}`;
    for (const text of splitSection(section.blocks, options)) {
      const position = chunks.length;
      chunks.push({
        text,
        chapter: document.title,
        url,
        heading,
        anchor: section.anchor,
        doc_path: document.docPath,
        content_hash: hashChunk([document.title, heading, url, text]),
        position,
      });
    }
  }
  return chunks;
}

/** What the embedder sees: the passage with its chapter and headings, which carry much of its meaning. */
export function embeddingInput(chunk: Pick<CourseChunk, 'chapter' | 'heading' | 'text'>): string {
  const context = chunk.heading === '' ? chunk.chapter : `${chunk.chapter} › ${chunk.heading}`;
  return `${context}\n\n${chunk.text}`;
}

function splitSection(blocks: readonly string[], options: ChunkOptions): string[] {
  // Oversized blocks are cut short of the limit, leaving room for the overlap.
  const pieces = blocks.flatMap((block) => splitOversizedBlock(block, options.maxTokens - options.overlapTokens));
  const chunks: string[] = [];
  let current: string[] = [];
  for (const piece of pieces) {
    if (current.length > 0 && estimateTokens([...current, piece].join('\n\n')) > options.maxTokens) {
      const finished = current.join('\n\n');
      chunks.push(finished);
      const overlap = trailingOverlap(finished, options.overlapTokens);
      // The overlap is a courtesy: it is dropped when it would push the next chunk over the limit.
      current = overlap !== '' && estimateTokens(`${overlap}\n\n${piece}`) <= options.maxTokens ? [overlap] : [];
    }
    current.push(piece);
  }
  if (current.length > 0) chunks.push(current.join('\n\n'));
  return chunks;
}

/**
 * A block longer than a chunk is cut: prose at sentence ends, code at line ends with each piece
 * fenced again, tables at row ends with the header repeated, so every chunk reads as written.
 */
function splitOversizedBlock(block: string, maxTokens: number): string[] {
  if (estimateTokens(block) <= maxTokens) return [block];
  if (isTableBlock(block)) {
    // Each piece of a long table keeps its header row: a row means little without its column names.
    const [header = '', ...rows] = block.split('\n');
    return packUnits(rows, '\n', maxTokens - estimateTokens(header)).map((piece) => `${header}\n${piece}`);
  }
  const lines = block.split('\n');
  const fence = openingFence(lines[0] ?? '');
  if (fence === undefined) return packUnits(block.split(/(?<=[.!?])\s+/), ' ', maxTokens);
  const opening = lines[0] as string;
  const fenceTokens = estimateTokens(`${opening}\n\n${fence}`);
  return packUnits(lines.slice(1, -1), '\n', maxTokens - fenceTokens).map((code) => `${opening}\n${code}\n${fence}`);
}

function packUnits(units: readonly string[], separator: string, maxTokens: number): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const unit of units) {
    const candidate = current === '' ? unit : `${current}${separator}${unit}`;
    if (current !== '' && estimateTokens(candidate) > maxTokens) {
      pieces.push(current);
      current = unit;
    } else {
      current = candidate;
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/** The last whole sentences of a chunk, up to the overlap budget, to carry context into the next. */
function trailingOverlap(text: string, overlapTokens: number): string {
  // Code and table rows cut loose from their fence or header would read as garbled prose.
  if (overlapTokens <= 0 || text.trimEnd().endsWith('```') || isTableLine(text.trimEnd().split('\n').at(-1) ?? '')) return '';
  const sentences = text.split(/(?<=[.!?])\s+/);
  const kept: string[] = [];
  for (let index = sentences.length - 1; index >= 0; index -= 1) {
    const sentence = sentences[index] ?? '';
    if (estimateTokens([sentence, ...kept].join(' ')) > overlapTokens) break;
    kept.unshift(sentence);
  }
  return kept.join(' ');
}

function hashChunk(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}
