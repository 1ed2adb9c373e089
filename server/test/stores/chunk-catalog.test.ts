import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { prepareDatabase } from '../../src/db/prepare.js';
import { ChunkCatalog, type CatalogChunk } from '../../src/stores/chunk-catalog.js';
import { DATABASE_BACKENDS, freshDatabaseConfig, type TestDatabaseTarget } from '../helpers/app.js';

const silent = pino({ level: 'silent' });

function chunk(overrides: Partial<CatalogChunk>): CatalogChunk {
  return {
    id: randomUUID(),
    position: 0,
    text: '',
    chapter: 'Robot Description',
    url: '/docs/ros2/urdf',
    heading: '',
    anchor: '',
    doc_path: 'ros2/urdf.md',
    content_hash: randomUUID(),
    ...overrides,
  };
}

describe.each(DATABASE_BACKENDS)('chunk catalog on $name', ({ name }) => {
  let target: TestDatabaseTarget;
  let database: Database;
  let catalog: ChunkCatalog;
  const joints = chunk({ heading: 'Describing joints', anchor: 'describing-joints', text: 'A revolute joint rotates about its axis between lower and upper limits.' });
  const topics = chunk({ doc_path: 'ros2/topics.md', chapter: 'Nodes and Topics', heading: 'Publishing', text: 'A publisher sends messages on a topic to every subscriber.' });
  const links = chunk({ heading: 'Links', position: 1, text: 'Each link has visual, collision and inertial elements; joints connect links.' });

  beforeAll(async () => {
    target = await freshDatabaseConfig(name);
    database = await openDatabase({ databaseUrl: target.config.databaseUrl, dataDir: target.config.dataDir, log: silent });
    await prepareDatabase(database, silent);
    catalog = new ChunkCatalog(database.db);
    await catalog.upsert([joints, topics, links]);
  });
  afterAll(async () => {
    await database?.close();
    await target?.cleanup();
  });

  it('records each chunk with its content hash', async () => {
    const hashes = await catalog.hashes();
    expect(hashes.get(joints.id)).toEqual({ docPath: 'ros2/urdf.md', contentHash: joints.content_hash });
    expect(await catalog.count()).toBe(3);
    expect(await catalog.get([topics.id])).toEqual([topics]);
  });

  it('finds passages sharing any word with the question, headings ranked above body text', async () => {
    const results = await catalog.searchText("how do I describe a robot's joints", 10);
    expect(results[0]?.id).toBe(joints.id);
    expect(results.map((result) => result.id)).toContain(links.id);
    expect(results.map((result) => result.id)).not.toContain(topics.id);
  });

  it('answers nothing for a question of stop words only, or punctuation', async () => {
    expect(await catalog.searchText('how do I', 10)).toEqual([]);
    expect(await catalog.searchText("?!'&|", 10)).toEqual([]);
  });

  it('searches by the distinctive words of a question, not the ones every chunk contains', async () => {
    const common = Array.from({ length: 40 }, (_, index) => chunk({ doc_path: 'bulk.md', heading: `Part ${index}`, text: `The robot moves its arm, step ${index}.` }));
    const distinctive = chunk({ doc_path: 'bulk.md', heading: 'Gearboxes', text: 'A harmonic gearbox gives the robot arm high reduction with no backlash.' });
    await catalog.upsert([...common, distinctive]);
    await catalog.refreshTermStatistics();
    // "robot" is in every chunk: only "gearbox" decides, so the 40 robot chunks do not match at all.
    const results = await catalog.searchText('which gearbox does the robot use', 5);
    expect(results.map((result) => result.id)).toEqual([distinctive.id]);
    // A question made only of common words still finds something: its rarest terms are kept.
    expect((await catalog.searchText('robot', 5)).length).toBe(5);
    await catalog.delete([...common, distinctive].map((entry) => entry.id));
    await catalog.refreshTermStatistics();
  });

  it("weighs a follow-up's own words above the topic it borrows from the previous question", async () => {
    const docsAtRoot = chunk({ doc_path: 'docs-mode.md', heading: 'Docs at the root', text: 'Serve the documentation at the root of the domain: the documentation then replaces the home page.' });
    const blogAtRoot = chunk({ doc_path: 'blog-mode.md', heading: 'Blog only', text: 'Serve the blog at the root of the site.' });
    await catalog.upsert([docsAtRoot, blogAtRoot]);
    await catalog.refreshTermStatistics();
    const followUp = 'And the blog?';
    const query = `${followUp}\nHow do I serve my documentation at the root of my domain?`;
    // Read as one question, the borrowed words win; the reader asked about the blog.
    expect((await catalog.searchText(query, 2))[0]?.id).toBe(docsAtRoot.id);
    expect((await catalog.searchText(query, 2, followUp))[0]?.id).toBe(blogAtRoot.id);
    await catalog.delete([docsAtRoot.id, blogAtRoot.id]);
    await catalog.refreshTermStatistics();
  });

  it("finds a page's chunks and source file by its route, however the reader's address spells it", async () => {
    const intro = chunk({ doc_path: 'guide/café.md', url: '/docs/guide/café', heading: 'Café', text: 'Where the robot gets its coffee.' });
    const setup = chunk({ doc_path: 'guide/café.md', url: '/docs/guide/café#setup', anchor: 'setup', position: 1, text: 'Set the machine up.' });
    await catalog.upsert([intro, setup]);
    for (const route of ['/docs/guide/café', '/docs/guide/café/', '/docs/guide/caf%C3%A9']) {
      const page = await catalog.page(route);
      expect(page?.docPath).toBe('guide/café.md');
      expect(page?.chunks).toEqual(expect.arrayContaining([{ id: intro.id, anchor: '' }, { id: setup.id, anchor: 'setup' }]));
      expect(page?.chunks).toHaveLength(2);
    }
    expect(await catalog.page('/docs/guide')).toBeUndefined();
    await catalog.delete([intro.id, setup.id]);
  });

  it('tells which exact names (settings, flags) no passage contains, whatever their case', async () => {
    const isolation = chunk({ doc_path: 'network.md', heading: 'Isolating robots with ROS_DOMAIN_ID', text: 'Run the simulation with use_sim_time set and pass --ros-args to the node.' });
    await catalog.upsert([isolation]);
    const names = ['ros_domain_id', 'USE_SIM_TIME', '--ros-args', 'RMW_IMPLEMENTATION', '--dry-run'];
    expect((await catalog.namesNeverUsed(names)).sort()).toEqual(['--dry-run', 'RMW_IMPLEMENTATION']);
    await catalog.delete([isolation.id]);
    expect((await catalog.namesNeverUsed(['ROS_DOMAIN_ID'])).sort()).toEqual(['ROS_DOMAIN_ID']);
  });

  it('updates a chunk in place and deletes chunks', async () => {
    await catalog.upsert([{ ...topics, text: 'Subscribers receive every message a publisher sends.', content_hash: 'new-hash' }]);
    expect((await catalog.hashes()).get(topics.id)?.contentHash).toBe('new-hash');
    expect((await catalog.searchText('subscribers receive', 5))[0]?.id).toBe(topics.id);
    await catalog.delete([topics.id]);
    expect(await catalog.count()).toBe(2);
  });
});
