import { stemmer } from 'stemmer';

/**
 * Words that carry no topic: question words, auxiliaries, pronouns. Kept short on purpose — a
 * technical word dropped here could never match (e.g. "joint", "state" must stay).
 */
const STOPWORDS = new Set(
  `a about above after again all also am an and any are as at be because been before being below between both but by can
  could did do does doing down during each either else ever every few for from further had has have having he her here hers
  him his how i if in into is it its itself just let like may me might more most much must my no nor not now of off on once
  only or other our out over own please same shall she should so some such than that the their them then there these they
  this those through to too under until up upon us very was we were what when where whether which while who whom whose why
  will with within without would you your yours one get got use used using want wants need needs make makes thing things
  way ways tell explain describe mean means work works happen happens really`.split(/\s+/),
);

/** The content words of a text, stemmed, for matching a question against sentences. */
export function contentTerms(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9][a-z0-9_+-]*/g) ?? []).filter((word) => !STOPWORDS.has(word) && word.length > 1).map((word) => stemmer(word));
}

export interface Passage {
  /** Prose sentences and list items, in reading order. */
  sentences: string[];
  /** Fenced code blocks, in order. */
  codeBlocks: string[];
}

/** Abbreviations whose period does not end a sentence. */
const ABBREVIATION = /\b(?:e\.g|i\.e|etc|vs|approx|fig|eq|cf|no|dr|mr|ms)\.$/i;

/**
 * Splits a chunk's text (Markdown-like plain text from the ingest) into sentences a reader can be
 * quoted, setting code blocks aside and dropping table rows, which make no sense out of their table.
 */
export function splitPassage(text: string): Passage {
  const sentences: string[] = [];
  const codeBlocks: string[] = [];
  for (const block of splitBlocks(text)) {
    if (block.startsWith('```')) {
      codeBlocks.push(block);
      continue;
    }
    for (const line of block.split('\n')) {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('|') || /^#{1,6}\s/.test(trimmed)) continue;
      const item = trimmed.replace(/^(?:[-*+]|\d+[.)])\s+/, '');
      sentences.push(...splitSentences(item));
    }
  }
  return { sentences: joinContinuations(sentences), codeBlocks };
}

function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let inFence = false;
  const flush = () => {
    if (current.length > 0) blocks.push(current.join('\n').trim());
    current = [];
  };
  for (const line of text.split('\n')) {
    if (line.trimStart().startsWith('```')) {
      if (!inFence) flush();
      current.push(line);
      inFence = !inFence;
      if (!inFence) flush();
      continue;
    }
    if (!inFence && line.trim() === '') flush();
    else current.push(line);
  }
  flush();
  return blocks.filter((block) => block !== '');
}

function splitSentences(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  const boundary = /[.!?](?=\s+\S)/g;
  for (let match = boundary.exec(text); match; match = boundary.exec(text)) {
    const candidate = text.slice(start, match.index + 1);
    if (ABBREVIATION.test(candidate)) continue;
    pieces.push(candidate.trim());
    start = match.index + 1;
  }
  pieces.push(text.slice(start).trim());
  return pieces.filter((piece) => piece.length > 0);
}

/** A line that ends without punctuation followed by one starting in lower case is one sentence. */
function joinContinuations(sentences: string[]): string[] {
  const joined: string[] = [];
  for (const sentence of sentences) {
    const previous = joined.at(-1);
    if (previous !== undefined && !/[.!?:;)"'`]$/.test(previous) && /^[a-z]/.test(sentence)) joined[joined.length - 1] = `${previous} ${sentence}`;
    else joined.push(sentence);
  }
  return joined;
}
