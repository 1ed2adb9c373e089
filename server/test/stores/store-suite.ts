import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbedderMismatchError, type VectorPoint, type VectorStore } from '../../src/stores/vector-store.js';

export interface StoreUnderTest {
  store: VectorStore;
  close(): Promise<void>;
}

const DIMENSIONS = 8;
const EMBEDDER = { id: 'test:axes@1', dimensions: DIMENSIONS };

/** A unit vector pointing mostly along one axis, slightly tilted toward the next. */
function axisVector(axis: number, tilt = 0): Float32Array {
  const vector = new Float32Array(DIMENSIONS);
  vector[axis % DIMENSIONS] = 1;
  vector[(axis + 1) % DIMENSIONS] = tilt;
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

function point(axis: number, docPath: string, tilt = 0): VectorPoint {
  return {
    id: randomUUID(),
    vector: axisVector(axis, tilt),
    payload: { text: `text ${axis}`, chapter: 'Chapter', url: `/docs/x#a${axis}`, heading: `A${axis}`, anchor: `a${axis}`, doc_path: docPath, content_hash: `h${axis}` },
  };
}

/** The behaviour every vector store must have, whatever holds the vectors. */
export function vectorStoreBehaviour(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`vector store: ${name}`, () => {
    let subject: StoreUnderTest;
    beforeAll(async () => {
      subject = await open();
      await subject.store.reset();
      await subject.store.prepare(EMBEDDER);
    });
    afterAll(() => subject?.close());

    it('starts empty and reports itself connected with its dimensions', async () => {
      expect(await subject.store.count()).toBe(0);
      expect(await subject.store.status()).toMatchObject({ status: 'connected', store: subject.store.name, vectors: 0, dimensions: DIMENSIONS });
    });

    it('finds the nearest vectors first, with cosine similarity scores', async () => {
      const points = [point(0, 'a.md'), point(1, 'a.md'), point(2, 'b.md'), point(0, 'b.md', 0.5)];
      await subject.store.upsert(points);
      await subject.store.finishBulkLoad();
      expect(await subject.store.count()).toBe(4);
      const results = await subject.store.search(axisVector(0), 3);
      expect(results.map((result) => result.id)).toEqual([points[0]?.id, points[3]?.id, expect.any(String)]);
      expect(results[0]?.score).toBeCloseTo(1, 4);
      expect(results[1]?.score).toBeCloseTo(1 / Math.hypot(1, 0.5), 3);
    });

    it('replaces a vector upserted again under the same id', async () => {
      const moving = point(5, 'c.md');
      await subject.store.upsert([moving]);
      await subject.store.upsert([{ ...moving, vector: axisVector(6) }]);
      const [nearest] = await subject.store.search(axisVector(6), 1);
      expect(nearest?.id).toBe(moving.id);
      expect(nearest?.score).toBeCloseTo(1, 4);
    });

    it('deletes by id and by document', async () => {
      const before = await subject.store.count();
      const [first, second, third] = [point(3, 'd.md'), point(4, 'd.md'), point(7, 'e.md')];
      await subject.store.upsert([first, second, third].filter((p): p is VectorPoint => p !== undefined));
      await subject.store.delete([third?.id ?? '']);
      expect(await subject.store.count()).toBe(before + 2);
      await subject.store.deleteByDocument('d.md');
      expect(await subject.store.count()).toBe(before);
      const results = await subject.store.search(axisVector(3), 10);
      expect(results.map((result) => result.id)).not.toContain(first?.id);
    });

    it('keeps finding the nearest vectors during and after a large load', async () => {
      const many = Array.from({ length: 1_200 }, (_, index) => point(index % DIMENSIONS, `bulk/${index}.md`, 0.2 + (index % 97) / 100));
      // Tilted the other way from every bulk point (and from earlier tests' points), so it alone matches.
      const exact = point(2, 'exact.md', -0.3);
      await subject.store.startBulkLoad(many.length + 1);
      await subject.store.upsert([exact, ...many.slice(0, 600)]);
      expect((await subject.store.search(axisVector(2, -0.3), 1))[0]?.id).toBe(exact.id);
      await subject.store.upsert(many.slice(600));
      await subject.store.finishBulkLoad();
      const [nearest] = await subject.store.search(axisVector(2, -0.3), 1);
      expect(nearest?.id).toBe(exact.id);
      expect(nearest?.score).toBeCloseTo(1, 4);
      await subject.store.delete([exact, ...many].map((bulkPoint) => bulkPoint.id));
    });

    it('refuses to mix vectors of another embedder until reset', async () => {
      await expect(subject.store.prepare({ id: 'other:model@1', dimensions: 384 })).rejects.toThrow(EmbedderMismatchError);
      await expect(subject.store.prepare({ id: 'other:model@1', dimensions: 384 })).rejects.toThrow(/npm run ingest -- --reset/);
      await subject.store.reset();
      await subject.store.prepare({ id: 'other:model@1', dimensions: 384 });
      await subject.store.finishBulkLoad();
      expect(await subject.store.count()).toBe(0);
      expect((await subject.store.status()).dimensions).toBe(384);
    });
  });
}
