/**
 * A passage as the extractive generator quotes it: sentences and whole lists, each knowing its
 * paragraph and place, with code set aside, each table row read as a sentence with its column
 * names, and what must never be quoted as an answer marked (questions, exercise prompts, template
 * text, stray headings).
 */
import { closesFence, isTableBlock, openingFence, tableCells } from '@docent/ingest';
import { splitSentences } from '../text/sentences.js';

export interface PassageUnit {
  kind: 'sentence' | 'list';
  /** The sentence; for a list, the sentence introducing it ('' when none). */
  text: string;
  /** List items, each as written (a list unit only). */
  items: string[];
  /** Which prose block of the passage it belongs to. */
  paragraph: number;
  /** Order within the passage. */
  position: number;
  /** First unit of its paragraph. */
  opensParagraph: boolean;
  /** Never an answer on its own: a question, a placeholder, a heading-like fragment. */
  unquotable: boolean;
  /** A sentence ending in a colon before a code block: quoted only when the answer shows code. */
  announcesCode?: boolean;
  /** A table row read as a sentence (see tableRowSentences). */
  tableRow?: boolean;
}

export interface Passage {
  units: PassageUnit[];
  codeBlocks: string[];
}

/** Text an authoring template leaves behind, not course content. */
const TEMPLATE_TEXT = /\b(?:lorem ipsum|content goes here|your (?:content|text) here|page title here|placeholder text|todo:|tbd\b|coming soon)/i;
/** A list item is trimmed to this many characters so a list stays readable in an answer. */
const MAX_ITEM_CHARS = 220;
/** A table row read as a sentence is trimmed to this many characters. */
const MAX_ROW_CHARS = 300;
/** Labels that make a list item a quiz or exercise prompt ("Q:", "Question 3:", "Exercise 2"). */
const QUIZ_LABEL = /^(?:q\d*|questions?|quiz|exercises?|tasks?|challenges?|problems?|prompts?|try it|think about it|reflect(?:ion)?|check)(?:\s*\d+[a-z]?)?$/i;

/** Splits a chunk's text (Markdown-like plain text from the ingest) into quotable units. */
export function readPassage(text: string): Passage {
  const units: PassageUnit[] = [];
  const codeBlocks: string[] = [];
  const introducesCode = new Set<PassageUnit | undefined>();
  let paragraph = 0;
  for (const block of splitBlocks(text)) {
    if (openingFence(block.split('\n', 1)[0] ?? '') !== undefined) {
      codeBlocks.push(block);
      introducesCode.add(units.at(-1));
      continue;
    }
    if (isTableBlock(block)) {
      for (const row of tableRowSentences(block)) {
        paragraph += 1;
        units.push({ ...sentenceUnit(row, paragraph, units.length, true), tableRow: true });
      }
      continue;
    }
    paragraph += 1;
    const lines = block.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !isTableRow(line) && !/^#{1,6}\s/.test(line));
    if (isListItem(lines[0] ?? '')) {
      units.push(listUnit(lines, units, paragraph));
      continue;
    }
    const sentences = joinContinuations(lines.flatMap((line) => splitSentences(line.replace(/^(?:[-*+]|\d+[.)])\s+/, ''))));
    sentences.forEach((sentence, index) => units.push(sentenceUnit(sentence, paragraph, units.length, index === 0)));
  }
  // "…with the ground at height zero:" announces something an answer will not show (an equation,
  // a table, code); one announcing code may lead a how-to answer that shows the code.
  for (const unit of units) {
    if (unit.kind !== 'sentence' || !unit.text.endsWith(':')) continue;
    if (introducesCode.has(unit)) unit.announcesCode = true;
    else unit.unquotable = true;
  }
  return { units, codeBlocks };
}

function sentenceUnit(text: string, paragraph: number, position: number, opensParagraph: boolean): PassageUnit {
  const words = text.split(/\s+/).length;
  // A title, byline or label ("Book: Physical AI & Humanoid Robotics — A Practical Guide") has no
  // full stop and is short, or names things in Title Case throughout.
  const headingLike = !/[.!?:;)"'`]$/.test(text) && (words < 8 || inTitleCase(text));
  return { kind: 'sentence', text, items: [], paragraph, position, opensParagraph, unquotable: text.endsWith('?') || TEMPLATE_TEXT.test(text) || headingLike };
}

/** Words of a title that stay lower-case ("Guide to the Galaxy"). */
const TITLE_SMALL_WORDS = new Set(['a', 'an', 'the', 'and', 'or', 'of', 'to', 'in', 'on', 'for', 'with', 'at', 'by', 'from', 'vs']);

/** Nearly every word capitalised, small words aside. */
function inTitleCase(text: string): boolean {
  const words = (text.match(/[\p{L}][\p{L}'’-]*/gu) ?? []).filter((word) => !TITLE_SMALL_WORDS.has(word.toLowerCase()));
  if (words.length === 0) return false;
  return words.filter((word) => /^\p{Lu}/u.test(word)).length / words.length >= 0.8;
}

/**
 * A list becomes one unit with the sentence that introduces it ("…built on three principles:"),
 * taken back from the previous paragraph, so neither is ever quoted without the other.
 */
function listUnit(lines: readonly string[], units: PassageUnit[], paragraph: number): PassageUnit {
  const items: string[] = [];
  for (const line of lines) {
    if (isListItem(line)) items.push(trimItem(line.replace(/^(?:[-*+]|\d+[.)])\s+/, '')));
    else if (items.length > 0) items[items.length - 1] = trimItem(`${items.at(-1)} ${line}`);
  }
  const previous = units.at(-1);
  let intro = '';
  let introParagraph = paragraph;
  if (previous?.kind === 'sentence' && previous.text.endsWith(':')) {
    units.pop();
    intro = previous.text;
    introParagraph = previous.paragraph;
  }
  const unquotable = items.every((item) => TEMPLATE_TEXT.test(item) || (item.endsWith('?') && !isLabelledStep(item)));
  return { kind: 'list', text: intro, items, paragraph: introParagraph, position: units.length, opensParagraph: intro === '', unquotable };
}

/**
 * A checklist step that names what to do, then asks what to look for ("Isolate the problem: which
 * subsystem is failing?"), is advice, not a quiz prompt: its label is a short instruction. A label
 * that numbers a question ("Q1:", "Exercise 2:") is a quiz's.
 */
function isLabelledStep(item: string): boolean {
  const label = /^([^:?]{2,60}):\s+\S/.exec(item)?.[1]?.trim();
  if (label === undefined || label.split(/\s+/).length > 6) return false;
  return !QUIZ_LABEL.test(label);
}

function trimItem(item: string, maxChars = MAX_ITEM_CHARS): string {
  if (item.length <= maxChars) return item;
  const [first] = splitSentences(item);
  return first && first.length <= maxChars ? first : `${item.slice(0, item.lastIndexOf(' ', maxChars))}…`;
}

/**
 * A table row as a sentence a reader can take alone: `Audio capture: 50-100 ms.` for two columns,
 * `limit — Type: number; Default: 20; Description: …` with the column names for more (an options
 * table's "Default" column answers "by default" questions).
 */
function tableRowSentences(block: string): string[] {
  const [header = [], ...rows] = block.split('\n').map(tableCells);
  return rows.flatMap((cells) => {
    const [label = '', ...rest] = cells;
    const described = rest.flatMap((cell, index) => {
      const column = header[index + 1] ?? '';
      return cell === '' ? [] : [cells.length === 2 || column === '' ? cell : `${column}: ${cell}`];
    });
    if (label === '' || described.length === 0) return [];
    const sentence = trimItem(cells.length === 2 ? `${label}: ${described.join('')}` : `${label} — ${described.join('; ')}`, MAX_ROW_CHARS);
    return [/[.!?…]$/.test(sentence) ? sentence : `${sentence}.`];
  });
}

function isListItem(line: string): boolean {
  return /^(?:[-*+]|\d+[.)])\s+/.test(line);
}

/** Table rows (`a | b | c`) make no sense out of their table. */
function isTableRow(line: string): boolean {
  return line.startsWith('|') || (line.match(/ \| /g)?.length ?? 0) >= 1;
}

function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | undefined;
  const flush = () => {
    if (current.length > 0) blocks.push(current.join('\n').trim());
    current = [];
  };
  for (const line of text.split('\n')) {
    if (fence !== undefined) {
      current.push(line);
      if (closesFence(fence, line.trimStart())) {
        fence = undefined;
        flush();
      }
      continue;
    }
    fence = openingFence(line.trimStart());
    // A fence starts a block of its own; outside code, an empty line ends one.
    if (fence !== undefined || line.trim() === '') flush();
    if (line.trim() !== '') current.push(line);
  }
  flush();
  return blocks.filter((block) => block !== '');
}

/** A line that ends without punctuation followed by one starting in lower case is one sentence. */
function joinContinuations(sentences: readonly string[]): string[] {
  const joined: string[] = [];
  for (const sentence of sentences) {
    const previous = joined.at(-1);
    if (previous !== undefined && !/[.!?:;)"'`]$/.test(previous) && /^[a-z]/.test(sentence)) joined[joined.length - 1] = `${previous} ${sentence}`;
    else joined.push(sentence);
  }
  return joined;
}
