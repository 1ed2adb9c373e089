import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/embed/embedder.js';
import type { GroundingSource } from '../../src/rag/answering/generator.js';
import { readPassage } from '../../src/rag/answering/passage-units.js';
import { SentenceScorer } from '../../src/rag/answering/sentence-closeness.js';

const SOURCE: GroundingSource = { id: 1, kind: 'course', title: 'Routes', chapter: 'Publishing', url: '/docs/routes', snippet: '', text: 'Routes come from file paths. The page created last wins the route. What wins the route?' };

/** An embedder whose answers wait for the test to release them, with a vector per text saying which text it was. */
function heldEmbedder() {
  const calls: { texts: readonly string[]; release: () => void }[] = [];
  const embedder: Embedder = {
    id: 'test',
    dimensions: 2,
    embed: (texts) =>
      new Promise((resolve) => {
        calls.push({ texts, release: () => resolve(texts.map((text) => Float32Array.from(text.includes('last') ? [1, 0] : [0.6, 0.8]))) });
      }),
  };
  return { embedder, calls };
}

/** The question's embedder, as retrieval's cache would answer it: at once, and noting what it was asked. */
function questionEmbedder() {
  const asked: string[] = [];
  const embedder: Embedder = { id: 'test', dimensions: 2, embed: async (texts) => (asked.push(...texts), texts.map(() => Float32Array.from([1, 0]))) };
  return { embedder, asked };
}

describe('scoring an answer’s sentences with the sentence model', () => {
  it('scores the quotable sentences of course sources, never a question', async () => {
    const { embedder, calls } = heldEmbedder();
    const questions = questionEmbedder();
    const scorer = new SentenceScorer({ questions: questions.embedder, sentences: embedder });
    const passages = [readPassage(SOURCE.text)];
    const scoring = scorer.closeness('Which page is shown last?', [SOURCE], passages, new AbortController().signal);
    calls[0]?.release();
    const closeness = await scoring;
    expect(questions.asked).toEqual(['Which page is shown last?']);
    expect(calls[0]?.texts).toEqual(['Routes come from file paths.', 'The page created last wins the route.']);
    expect([...(closeness?.values() ?? [])]).toEqual([expect.closeTo(0.6, 5), expect.closeTo(1, 5)]);
  });

  it('scores one answer at a time: another answer meanwhile is chosen by shared words alone', async () => {
    const { embedder, calls } = heldEmbedder();
    const scorer = new SentenceScorer({ questions: questionEmbedder().embedder, sentences: embedder });
    const passages = [readPassage(SOURCE.text)];
    const signal = new AbortController().signal;
    const first = scorer.closeness('Which page is shown?', [SOURCE], passages, signal);
    await expect(scorer.closeness('Which page wins?', [SOURCE], passages, signal)).resolves.toBeUndefined();
    calls[0]?.release();
    expect((await first)?.size).toBe(2);
    const next = scorer.closeness('Which page wins?', [SOURCE], passages, signal);
    calls[1]?.release();
    expect((await next)?.size).toBe(2);
    expect(calls).toHaveLength(2);
  });

  it('answers by words alone when the model fails', async () => {
    const failing: Embedder = { id: 'test', dimensions: 2, embed: () => Promise.reject(new Error('model down')) };
    const closeness = await new SentenceScorer({ questions: questionEmbedder().embedder, sentences: failing }).closeness('Which page wins?', [SOURCE], [readPassage(SOURCE.text)], new AbortController().signal);
    expect(closeness).toBeUndefined();
  });
});
