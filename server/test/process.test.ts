import { afterAll, describe, expect, it } from 'vitest';
import { healthResponseSchema, searchResponseSchema } from '@docent/protocol';
import { temporaryDirectory } from './helpers/app.js';
import { createFreshPostgresDatabase } from './helpers/postgres.js';
import { postChat, readEvents } from './helpers/chat.js';
import { spawnServer } from './helpers/process.js';

const directories: { remove(): void }[] = [];
afterAll(() => directories.forEach((directory) => directory?.remove()));

function dataDir(): string {
  const directory = temporaryDirectory();
  directories.push(directory);
  return directory.path;
}

async function health(address: string) {
  const response = await fetch(`${address}/health`);
  return { status: response.status, body: healthResponseSchema.parse(await response.json()) };
}

// Each test starts one or two real server processes (~10 s each on 2 busy cores).
describe('the server process', { timeout: 90_000 }, () => {
  it('starts on the embedded database with no other service, then shuts down cleanly on SIGTERM', async () => {
    const server = spawnServer({ DATA_DIR: dataDir() });
    const address = await server.listening;
    expect(await health(address)).toMatchObject({ status: 200, body: { status: 'ok', database: 'connected' } });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain('shutdown complete');
  });

  it('ingests the bundled course on a first start and answers course questions from it', async () => {
    const server = spawnServer({ DATA_DIR: dataDir() });
    try {
      const address = await server.listening;
      // Health answers while the course is still being ingested in the background, and says so.
      expect(await health(address)).toMatchObject({ status: 200, body: { status: 'ok', indexing: { done: expect.any(Number) as number } } });
      // A reader asking meanwhile is told the course is still being indexed, never "not covered".
      const { events } = await readEvents((await postChat(address, { message: 'What is the zero moment point?' })).response);
      expect(events.filter((event) => event.event === 'notice').map((event) => (event.event === 'notice' ? event.data.code : ''))).toEqual(['indexing']);
      await server.waitForOutput(/"msg":"bundled course ingested"/);
      expect((await health(address)).body.indexing).toBeUndefined();
      const url = new URL(`${address}/api/v1/search`);
      url.searchParams.set('q', "how do I describe a robot's joints");
      const body = searchResponseSchema.parse(await (await fetch(url)).json());
      expect(body.results[0]?.doc_path).toBe('ros2/urdf-robot-description.md');
      expect(body.results.slice(0, 3).map((result) => result.url)).toContain('/docs/ros2/urdf-robot-description#describing-joints');
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  }, 90_000);

  it('stops promptly and cleanly when told to in the middle of the first-start ingest, and resumes it at the next start', async () => {
    const directory = dataDir();
    const first = spawnServer({ DATA_DIR: directory });
    await first.listening;
    await first.waitForOutput(/"msg":"ingesting the bundled course: \d+\/\d+ chunks embedded"/);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('bundled course ingest paused by shutdown');
    expect(first.output()).not.toContain('shutdown took too long');
    expect(first.output()).not.toContain('"msg":"bundled course ingested"');

    const second = spawnServer({ DATA_DIR: directory });
    try {
      await second.listening;
      await second.waitForOutput(/"msg":"bundled course ingested"/);
      const url = new URL(`${await second.listening}/api/v1/search`);
      url.searchParams.set('q', 'zero moment point');
      expect(searchResponseSchema.parse(await (await fetch(url)).json()).results.length).toBeGreaterThan(0);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  }, 120_000);

  it('refuses a second process on the same data directory, with a clear message', async () => {
    const directory = dataDir();
    const first = spawnServer({ DATA_DIR: directory });
    await first.listening;
    try {
      const second = spawnServer({ DATA_DIR: directory });
      expect(await second.exited).toBe(1);
      expect(second.output()).toMatch(/data directory is in use by another Docent process \(pid \d+\)/);
      const address = await first.listening;
      expect((await health(address)).body.database).toBe('connected');
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });

  it('takes over the lock of a process that died without releasing it', async () => {
    const directory = dataDir();
    const first = spawnServer({ DATA_DIR: directory });
    await first.listening;
    first.child.kill('SIGKILL');
    await first.exited;
    const second = spawnServer({ DATA_DIR: directory });
    const address = await second.listening;
    expect((await health(address)).body.database).toBe('connected');
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('starts on PostgreSQL when DATABASE_URL is set', async () => {
    const provisioned = await createFreshPostgresDatabase();
    const server = spawnServer({ DATA_DIR: dataDir(), DATABASE_URL: provisioned.url });
    try {
      const address = await server.listening;
      expect(await health(address)).toMatchObject({ status: 200, body: { status: 'ok', database: 'connected' } });
      expect(server.output()).toContain('"database":"postgres"');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
      await provisioned.drop();
    }
  });
});
