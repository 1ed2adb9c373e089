import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { prepareDatabase } from '../../src/db/prepare.js';
import { QdrantStore } from '../../src/stores/qdrant-store.js';
import { freshDatabaseConfig, type TestDatabaseTarget } from '../helpers/app.js';
import { startFakeQdrant, type FakeQdrant } from './fake-qdrant.js';
import { vectorStoreBehaviour } from './store-suite.js';

const silent = pino({ level: 'silent' });

async function relationalSide(): Promise<{ database: Database; target: TestDatabaseTarget }> {
  const target = await freshDatabaseConfig('pglite');
  const database = await openDatabase({ databaseUrl: undefined, dataDir: target.config.dataDir, log: silent });
  await prepareDatabase(database, silent);
  return { database, target };
}

let fake: FakeQdrant;
beforeAll(async () => {
  fake = await startFakeQdrant();
});
afterAll(async () => {
  await fake?.close();
});

vectorStoreBehaviour('Qdrant (contract fake, validated against the official OpenAPI spec)', async () => {
  const { database, target } = await relationalSide();
  return {
    store: new QdrantStore(database.db, { url: fake.url, apiKey: fake.apiKey, collection: `suite_${randomUUID().slice(0, 8)}` }),
    close: async () => {
      await database.close();
      await target.cleanup();
    },
  };
});

const LIVE_QDRANT_URL = process.env.QDRANT_URL;
if (LIVE_QDRANT_URL) {
  vectorStoreBehaviour(`Qdrant live at ${LIVE_QDRANT_URL}`, async () => {
    const { database, target } = await relationalSide();
    return {
      store: new QdrantStore(database.db, { url: LIVE_QDRANT_URL, apiKey: process.env.QDRANT_API_KEY, collection: `docent_test_${randomUUID().slice(0, 8)}` }),
      close: async () => {
        await database.close();
        await target.cleanup();
      },
    };
  });
} else {
  it.skip('live Qdrant: skipped because QDRANT_URL is not set (the contract fake above ran instead)', () => undefined);
}

describe('Qdrant specifics', () => {
  let relational: { database: Database; target: TestDatabaseTarget };
  beforeAll(async () => {
    relational = await relationalSide();
  });
  afterAll(async () => {
    await relational.database.close();
    await relational.target.cleanup();
  });

  const embedder = { id: 'test:axes@1', dimensions: 4 };
  const point = (value: number) => ({
    id: randomUUID(),
    vector: Float32Array.from([value, 1, 0, 0]),
    payload: { text: 't', chapter: 'Kinematics', url: '/docs/k#a', heading: 'A', anchor: 'a', doc_path: 'k.md', content_hash: 'h' },
  });

  it('creates a cosine collection behind an alias, with payload indexes for doc_path and chapter', async () => {
    const store = new QdrantStore(relational.database.db, { url: fake.url, apiKey: fake.apiKey, collection: 'physical_ai_course' });
    await store.prepare(embedder);
    const physical = fake.aliases.get('physical_ai_course');
    expect(physical).toMatch(/^physical_ai_course_/);
    const collection = fake.collections.get(physical ?? '');
    expect(collection).toMatchObject({ size: 4, distance: 'Cosine' });
    expect([...(collection?.payloadIndexes.keys() ?? [])].sort()).toEqual(['chapter', 'doc_path']);
    expect(await store.status()).toEqual({ status: 'connected', store: 'qdrant', collection: 'physical_ai_course', vectors: 0, dimensions: 4, embedder: 'test:axes@1' });
  });

  it('rebuilds into a fresh collection and switches the alias only when the load is complete', async () => {
    const store = new QdrantStore(relational.database.db, { url: fake.url, apiKey: fake.apiKey, collection: 'physical_ai_course' });
    await store.prepare(embedder);
    const old = point(1);
    await store.upsert([old]);
    const before = fake.aliases.get('physical_ai_course');

    await store.reset();
    await store.prepare(embedder);
    await store.upsert([point(2), point(3)]);
    // Mid-rebuild, readers still search the complete old collection.
    expect(fake.aliases.get('physical_ai_course')).toBe(before);
    expect((await store.search(Float32Array.from([1, 1, 0, 0]), 5)).map((hit) => hit.id)).toEqual([old.id]);

    await store.finishBulkLoad();
    expect(fake.aliases.get('physical_ai_course')).not.toBe(before);
    expect(fake.collections.has(before ?? '')).toBe(false);
    expect(await store.count()).toBe(2);
  });

  it('reads as empty before anything was ingested', async () => {
    const store = new QdrantStore(relational.database.db, { url: fake.url, apiKey: fake.apiKey, collection: 'never_ingested' });
    expect(await store.count()).toBe(0);
    expect(await store.search(Float32Array.from([1, 0, 0, 0]), 5)).toEqual([]);
  });

  it('is refused without the API key, and reports itself disconnected', async () => {
    const store = new QdrantStore(relational.database.db, { url: fake.url, apiKey: 'wrong-key', collection: 'physical_ai_course' });
    await expect(store.count()).rejects.toThrow();
    expect(await store.status()).toMatchObject({ status: 'disconnected', store: 'qdrant' });
  });

  it('reports when nothing listens at the URL', async () => {
    const store = new QdrantStore(relational.database.db, { url: 'http://127.0.0.1:1', apiKey: fake.apiKey, collection: 'physical_ai_course', timeoutMs: 1_000 });
    expect(await store.status()).toMatchObject({ status: 'disconnected' });
  });

  it('sent nothing that breaks the official OpenAPI spec, and answered only in its shapes', () => {
    expect(fake.violations).toEqual([]);
  });

  it('(the fake does check: a request that breaks the spec is flagged)', async () => {
    const before = fake.violations.length;
    const response = await fetch(`${fake.url}/collections/broken`, {
      method: 'PUT',
      headers: { 'api-key': fake.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ vectors: { size: 'four', distance: 'Cosine' } }),
    });
    expect(response.status).toBe(400);
    expect(fake.violations.length).toBe(before + 1);
    fake.violations.splice(before);
  });

  it('(the fake knows every format the spec uses, so its validator prints no warnings)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const another = await startFakeQdrant();
      await fetch(`${another.url}/collections/quiet/exists`, { headers: { 'api-key': another.apiKey } });
      await another.close();
      expect(warn.mock.calls.map((call) => String(call[0])).filter((message) => message.includes('unknown format'))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});
