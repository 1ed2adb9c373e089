/**
 * The bundled model's tokenizer: SentencePiece unigram segmentation (the most probable split of
 * the text into vocabulary pieces, by dynamic programming over the pieces' log-probabilities).
 *
 * It returns, token for token, what the tokenizer in `@energetic-ai/embeddings` (ported from
 * TensorFlow.js's Universal Sentence Encoder) returns, quirks included: ties go to the piece found
 * last, a run of unknown symbols is one unknown token, and only a literal space separates words
 * (the test suite compares both on whole corpora). Two differences in cost, not in output:
 *  - that one copies the rest of the text at every character (quadratic: 15 ms for a 2,000-character
 *    passage, twice the model's own time); this walks a trie of Maps in place;
 *  - the model reads only its first MAX_TOKENS tokens, so only the words that can produce them are
 *    segmented. That cut is exact: no vocabulary piece holds a word separator (▁) after its first
 *    character, so every ▁ starts a token and the split before it never depends on what follows.
 */
const SEPARATOR = '\u2581';
/** Control symbols at the head of the vocabulary (unknown, <s>, </s>, three spares): never matched in text. */
const RESERVED_SYMBOLS = 6;
const UNKNOWN = 0;

interface TrieNode {
  children: Map<string, TrieNode>;
  /** The vocabulary index of the piece ending here, or -1. */
  index: number;
  score: number;
}

interface Candidate {
  start: number;
  index: number;
  score: number;
}

const newNode = (): TrieNode => ({ children: new Map(), index: -1, score: 0 });

export class UseLiteTokenizer {
  private readonly root = newNode();
  private readonly lengths: number[];

  constructor(vocabulary: ReadonlyArray<readonly [string, number]>) {
    vocabulary.forEach(([piece, score], index) => {
      if (index < RESERVED_SYMBOLS) return;
      if (piece.includes(SEPARATOR, 1)) throw new Error(`vocabulary piece ${JSON.stringify(piece)} holds a word separator after its start: cutting the text at words would not be exact`);
      let node = this.root;
      for (const symbol of piece) {
        let child = node.children.get(symbol);
        if (!child) node.children.set(symbol, (child = newNode()));
        node = child;
      }
      node.index = index;
      node.score = score;
    });
    if ((this.root.children.get(SEPARATOR)?.index ?? -1) < 0) throw new Error('the vocabulary has no word separator piece: cutting the text at words would not be exact');
    // Backtracking steps by a piece's length in UTF-16 units, as the original does.
    this.lengths = vocabulary.map(([piece]) => piece.length);
  }

  /** The first `limit` token ids of `text`. */
  encode(text: string, limit: number): number[] {
    const normalized = text.normalize('NFKC');
    if (normalized.length === 0) return [];
    const symbols = wordsThatCanFill(Array.from(SEPARATOR + normalized.replaceAll(' ', SEPARATOR)), limit);
    const ending: Candidate[][] = Array.from({ length: symbols.length + 1 }, () => []);
    for (let start = 0; start < symbols.length; start += 1) {
      let node = this.root.children.get(symbols[start] as string);
      let matched = false;
      for (let end = start + 1; node; end += 1) {
        if (node.index >= 0) {
          ending[end]?.push({ start, index: node.index, score: node.score });
          matched = true;
        }
        node = end < symbols.length ? node.children.get(symbols[end] as string) : undefined;
      }
      if (!matched) ending[start + 1]?.push({ start, index: UNKNOWN, score: 0 });
    }
    const best = new Float64Array(symbols.length + 1);
    const chosen = new Int32Array(symbols.length + 1);
    ending.forEach((candidates, end) => {
      for (const { start, index, score } of candidates) {
        const total = score + (best[start] ?? 0);
        // `=== 0` means "nothing yet" in the original (scores are negative), and ties go to the later piece.
        if (best[end] === 0 || total >= (best[end] ?? 0)) {
          best[end] = total;
          chosen[end] = index;
        }
      }
    });
    const reversed: number[] = [];
    for (let position = symbols.length; position > 0; position -= this.lengths[chosen[position] ?? UNKNOWN] ?? 1) reversed.push(chosen[position] ?? UNKNOWN);
    const tokens: number[] = [];
    for (let index = reversed.length - 1; index >= 0 && tokens.length < limit; index -= 1) {
      const token = reversed[index] as number;
      if (!(token === UNKNOWN && tokens.at(-1) === UNKNOWN)) tokens.push(token);
    }
    return tokens;
  }
}

/**
 * The symbols up to (not including) the separator that starts word `limit + 1`: every word starts
 * with a known piece (▁ alone is one), so `limit` words hold at least `limit` tokens.
 */
function wordsThatCanFill(symbols: string[], limit: number): string[] {
  let words = 0;
  for (let position = 0; position < symbols.length; position += 1) {
    if (symbols[position] === SEPARATOR && ++words > limit) return symbols.slice(0, position);
  }
  return symbols;
}
