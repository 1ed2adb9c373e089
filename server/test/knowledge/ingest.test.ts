import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingestCourse, type IngestOptions } from '@docent/ingest';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { prepareDatabase } from '../../src/db/prepare.js';
import { openKnowledgeBase, type KnowledgeBase } from '../../src/knowledge/knowledge-base.js';
import { retrieveRelevantChunks } from '../../src/rag/retrieval/retrieve.js';
import { EmbedderMismatchError } from '../../src/stores/vector-store.js';
import { freshDatabaseConfig, temporaryDirectory, type TestDatabaseTarget } from '../helpers/app.js';

const silent = pino({ level: 'silent' });

const JOINTS = `---
title: Robot Description
---

## Describing joints

A revolute joint rotates about an axis between lower and upper limits. A prismatic joint slides.

## Links

Every link has visual, collision and inertial elements.
`;
const TOPICS_MDX = `---
title: Topics
---
import Note from '@site/src/Note';

## Publishing messages

<Note>A publisher sends messages on a named topic to every subscriber.</Note>
`;
const BALANCE = `# Balance

## Zero moment point

The zero moment point must stay inside the support polygon for the robot to stay upright.
`;

describe('ingesting a docs folder', () => {
  const docs = temporaryDirectory();
  let target: TestDatabaseTarget;
  let database: Database;
  let knowledge: KnowledgeBase;
  const write = (path: string, content: string) => {
    mkdirSync(join(docs.path, path, '..'), { recursive: true });
    writeFileSync(join(docs.path, path), content);
  };
  const ingest = (options: Partial<IngestOptions> = {}) =>
    ingestCourse({ docsDir: docs.path, routeBase: '/docs', reset: false, dryRun: false, ...options }, knowledge);

  beforeAll(async () => {
    target = await freshDatabaseConfig('pglite');
    database = await openDatabase({ databaseUrl: undefined, dataDir: target.config.dataDir, log: silent });
    await prepareDatabase(database, silent);
    knowledge = await openKnowledgeBase(target.config, database);
    write('ros2/urdf.md', JOINTS);
    write('ros2/topics.mdx', TOPICS_MDX);
    write('control/balance.md', BALANCE);
    write('_partials/shared.md', '## Not a page\n\nPartials are not pages.\n');
  });
  afterAll(async () => {
    await knowledge?.close();
    await database?.close();
    await target?.cleanup();
    docs?.remove();
  });

  it('adds every section of every page on the first run, and finds them', async () => {
    const report = await ingest();
    expect(report).toMatchObject({ files: 3, chunks: 4, added: 4, updated: 0, removed: 0, unchanged: 0, failed: [] });
    expect(await knowledge.store.count()).toBe(4);
    const [best] = await retrieveRelevantChunks(knowledge, 'which joint slides along an axis?', 3);
    expect(best).toMatchObject({ url: '/docs/ros2/urdf#describing-joints', chapter: 'Robot Description', doc_path: 'ros2/urdf.md' });
  });

  it('skips everything unchanged on a second run', async () => {
    expect(await ingest()).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: 4 });
  });

  it('embeds everything again when the vector store is empty but the catalog is not (a new or restored vector store)', async () => {
    await knowledge.store.reset();
    expect(await knowledge.store.count()).toBe(0);
    expect(await ingest()).toMatchObject({ added: 4, updated: 0, removed: 0, unchanged: 0 });
    expect(await knowledge.store.count()).toBe(4);
    const [best] = await retrieveRelevantChunks(knowledge, 'which joint slides along an axis?', 3, 'dense');
    expect(best?.url).toBe('/docs/ros2/urdf#describing-joints');
  });

  it('re-embeds changed sections, adds new ones and removes deleted pages', async () => {
    write('ros2/urdf.md', JOINTS.replace('A prismatic joint slides.', 'A prismatic joint slides along its axis.') + '\n## Inertia\n\nInertia tensors must be physically plausible.\n');
    rmSync(join(docs.path, 'control/balance.md'));
    const report = await ingest();
    expect(report).toMatchObject({ files: 2, added: 1, updated: 1, removed: 1, unchanged: 2 });
    expect(await knowledge.store.count()).toBe(4);
    const results = await retrieveRelevantChunks(knowledge, 'zero moment point support polygon', 5);
    expect(results.map((result) => result.doc_path)).not.toContain('control/balance.md');
  });

  it('reports what would change in a dry run without writing', async () => {
    write('control/balance.md', BALANCE);
    const report = await ingest({ dryRun: true });
    expect(report).toMatchObject({ dry_run: true, added: 1, unchanged: 4 });
    expect(await knowledge.catalog.count()).toBe(4);
    expect(await ingest()).toMatchObject({ added: 1 });
  });

  it('names a broken file and line, ingests the others, and keeps the broken page searchable', async () => {
    write('ros2/topics.mdx', TOPICS_MDX.replace('</Note>', ''));
    write('control/balance.md', BALANCE.replace('stay upright.', 'stay upright, even when pushed.'));
    const report = await ingest();
    expect(report.failed).toEqual([{ file: 'ros2/topics.mdx', line: expect.any(Number), message: expect.stringMatching(/^ros2\/topics\.mdx:\d+: MDX does not parse/) }]);
    expect(report).toMatchObject({ updated: 1, removed: 0 });
    const results = await retrieveRelevantChunks(knowledge, 'publisher sends messages to subscribers', 3);
    expect(results[0]?.doc_path).toBe('ros2/topics.mdx');
  });

  it('refuses to mix in vectors of another embedder, and rebuilds everything with reset', async () => {
    write('ros2/topics.mdx', TOPICS_MDX);
    const otherEmbedder = { ...knowledge.embedder, id: 'other:model@1', dimensions: 512, embed: knowledge.embedder.embed.bind(knowledge.embedder) };
    await expect(ingestCourse({ docsDir: docs.path, routeBase: '/docs', reset: false, dryRun: false }, { ...knowledge, embedder: otherEmbedder })).rejects.toThrow(EmbedderMismatchError);
    const report = await ingest({ reset: true });
    expect(report).toMatchObject({ added: 5, updated: 0, removed: 0, unchanged: 0 });
    expect(await knowledge.store.count()).toBe(5);
  });

  it('keeps the course searchable by its words while a reset rebuild runs, and drops what left the docs', async () => {
    rmSync(join(docs.path, 'control/balance.md'));
    const foundMidRebuild: string[] = [];
    const watchingEmbedder = {
      ...knowledge.embedder,
      embed: async (texts: readonly string[]) => {
        // Called before anything is rewritten: what can a reader find right now?
        const hits = await knowledge.catalog.get((await knowledge.catalog.searchText('revolute joint axis', 5)).map((hit) => hit.id));
        foundMidRebuild.push(...hits.map((chunk) => chunk.doc_path));
        return knowledge.embedder.embed(texts);
      },
    };
    const report = await ingestCourse({ docsDir: docs.path, routeBase: '/docs', reset: true, dryRun: false }, { ...knowledge, embedder: watchingEmbedder });
    expect(foundMidRebuild).toContain('ros2/urdf.md');
    expect(report).toMatchObject({ files: 2, removed: 1 });
    expect(await knowledge.catalog.count()).toBe(4);
    expect(await knowledge.store.count()).toBe(4);
    expect((await retrieveRelevantChunks(knowledge, 'how does a humanoid stay upright?', 5)).map((chunk) => chunk.doc_path)).not.toContain('control/balance.md');
  });
});
