import { HEADING_WEIGHT } from './bm25.js';

/** One lexeme of a passage's search document, with how often it occurs (heading words weighted). */
export interface LexemeFrequency {
  lexeme: string;
  frequency: number;
}

/**
 * Reads PostgreSQL's text form of a tsvector (`'camera':3B,17B 'sensor':1A,9B`): each lexeme with
 * its weighted frequency, the count of its body (B) positions plus HEADING_WEIGHT times its heading
 * (A) positions, as the SQL ranking counts them. Lexemes are quoted, with `'` and `\` doubled
 * inside (PostgreSQL's tsvectorout). Reading the text form costs the database nothing, where
 * unnesting every passage's tsvector into rows would cost it seconds on a large site.
 */
export function parseTsvectorText(text: string): LexemeFrequency[] {
  const entries: LexemeFrequency[] = [];
  let at = 0;
  while (at < text.length) {
    if (text[at] === ' ') {
      at += 1;
      continue;
    }
    if (text[at] !== "'") throw new Error(`Unexpected tsvector text at ${at}: ${text.slice(at, at + 20)}`);
    let lexeme = '';
    at += 1;
    for (;;) {
      const char = text[at];
      if (char === undefined) throw new Error('Unterminated lexeme in tsvector text');
      const doubled = (char === "'" || char === '\\') && text[at + 1] === char;
      if (char === "'" && !doubled) break;
      lexeme += char;
      at += doubled ? 2 : 1;
    }
    at += 1;
    let frequency = 0;
    if (text[at] === ':') {
      const end = text.indexOf(' ', at);
      for (const position of text.slice(at + 1, end === -1 ? text.length : end).split(',')) {
        const weight = position.at(-1);
        if (weight === 'A') frequency += HEADING_WEIGHT;
        else if (weight === 'B') frequency += 1;
      }
      at = end === -1 ? text.length : end;
    }
    entries.push({ lexeme, frequency });
  }
  return entries;
}
