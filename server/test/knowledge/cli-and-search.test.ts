import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorResponseSchema, searchResponseSchema, storeStatusSchema } from '@docent/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type DocentApp } from '../../src/app.js';
import { temporaryDirectory, testConfig } from '../helpers/app.js';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function runIngestCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli/ingest.ts', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run ingest', () => {
  const docs = temporaryDirectory();
  const data = temporaryDirectory();
  beforeAll(() => {
    mkdirSync(join(docs.path, 'guide'));
    writeFileSync(join(docs.path, 'guide/setup.md'), '---\ntitle: Setup\n---\n\n## Installing\n\nRun the installer, then restart.\n');
    writeFileSync(join(docs.path, 'guide/broken.md'), '---\ntitle: [unclosed\n---\n\nText.\n');
  });
  afterAll(() => {
    docs?.remove();
    data?.remove();
  });

  it('ingests the good files, names the broken one with its line, and exits with code 2', async () => {
    const result = await runIngestCli([docs.path], { DATA_DIR: data.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: guide/broken.md:2: front matter is not valid YAML');
    expect(result.stdout).toMatch(/^2 files \(1 failed, 0 skipped\), 1 chunks: 1 added, 0 updated, 0 removed, 0 unchanged in \d+\.\d s$/m);
  });

  it('prints machine-readable JSON with --json, and only reports in a dry run', async () => {
    const result = await runIngestCli([docs.path, '--json', '--dry-run'], { DATA_DIR: data.path });
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ files: 2, chunks: 1, added: 0, unchanged: 1, dry_run: true, failed: [{ file: 'guide/broken.md', line: 2 }] });
  });

  it('takes the URLs and heading ids of a built site from its manifest with --site', async () => {
    // What docusaurus-plugin-docent writes into build/ (its own test checks it against a real build).
    mkdirSync(join(docs.path, 'build'), { recursive: true });
    const manifest = {
      format: 'docent-site-manifest',
      format_version: 1,
      site: { url: 'https://example.com', base_url: '/course/', trailing_slash: false, locale: 'en', default_locale: 'en' },
      docs: [
        { source: 'guide/setup.md', permalink: '/course/docs/start/setup', title: 'Setup', plugin_id: 'default', version: 'current', version_is_latest: true, unlisted: false, headings: [{ depth: 2, id: 'install', text: 'Installing' }] },
      ],
    };
    writeFileSync(join(docs.path, 'build/docent-manifest.json'), JSON.stringify(manifest));
    const result = await runIngestCli(['--site', docs.path, '--json'], { DATA_DIR: data.path });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ files: 1, chunks: 1, added: 1, failed: [] });
    const app = await buildApp(testConfig({ DATA_DIR: data.path }));
    try {
      const response = await app.inject({ method: 'GET', url: '/api/v1/search', query: { q: 'run the installer' } });
      expect(searchResponseSchema.parse(response.json()).results[0]?.url).toBe('/course/docs/start/setup#install');
    } finally {
      await app.close();
    }
    // Another locale's build sits one folder deeper (build/fr/): its sources are still found.
    mkdirSync(join(docs.path, 'build/fr'));
    writeFileSync(join(docs.path, 'build/fr/docent-manifest.json'), JSON.stringify({ ...manifest, site: { ...manifest.site, locale: 'fr' } }));
    const french = await runIngestCli(['--site', join(docs.path, 'build/fr/docent-manifest.json'), '--json', '--dry-run'], { DATA_DIR: data.path });
    expect(JSON.parse(french.stdout)).toMatchObject({ files: 1, chunks: 1, failed: [] });
    const search = await runIngestCli(['--site', join(docs.path, 'nowhere')], { DATA_DIR: data.path });
    expect(search.code).toBe(1);
    expect(search.stderr).toContain('No docent-manifest.json under');
    expect(search.stderr).toContain('add docusaurus-plugin-docent to the site');
  });

  it('skips drafts, empty pages and --exclude matches, says which and why, and shows progress without a terminal', async () => {
    const site = temporaryDirectory();
    try {
      mkdirSync(join(site.path, 'templates'));
      writeFileSync(join(site.path, 'gears.md'), '# Gears\n\nA gear train trades speed for torque.\n');
      writeFileSync(join(site.path, 'notes.md'), '---\ndraft: true\n---\n\nUnfinished.\n');
      writeFileSync(join(site.path, 'empty.md'), '---\ntitle: Empty\n---\n');
      writeFileSync(join(site.path, 'templates/lesson-template.md'), '# Lesson title\n\nContent goes here.\n');
      const result = await runIngestCli([site.path, '--exclude', '**/*-template.md'], { DATA_DIR: temporaryDirectory().path });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^1 files \(0 failed, 3 skipped\), 1 chunks: 1 added/);
      expect(result.stderr).toContain('skipped: templates/lesson-template.md (matches --exclude)');
      expect(result.stderr).toContain('skipped: notes.md (draft: not published)');
      expect(result.stderr).toContain('skipped: empty.md (no text to answer from)');
      expect(result.stderr).toMatch(/^ingest: 1\/1 chunks embedded, \d+ s elapsed$/m);
    } finally {
      site.remove();
    }
  });

  it('rejects an unknown store with a usage message and exit code 1', async () => {
    const result = await runIngestCli([docs.path, '--store', 'elastic'], { DATA_DIR: data.path });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--store must be pglite, pgvector or qdrant');
  });
});

describe('GET /api/v1/search', () => {
  let app: DocentApp;
  beforeAll(async () => {
    const docs = temporaryDirectory();
    mkdirSync(join(docs.path, 'ros2'));
    writeFileSync(join(docs.path, 'ros2/urdf.md'), '---\ntitle: URDF\n---\n\n## Describing joints\n\nJoints connect links; a revolute joint rotates.\n\n## Links\n\nLinks carry inertia.\n');
    const config = testConfig();
    app = await buildApp(config);
    const { ingestCourse } = await import('@docent/ingest');
    await ingestCourse({ docsDir: docs.path, routeBase: '/docs', reset: false, dryRun: false }, app.knowledge);
    docs.remove();
  });
  afterAll(() => app?.close());

  it('returns ranked passages with heading, url and scores', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/search', query: { q: "how do I describe a robot's joints", k: '2' } });
    expect(response.statusCode).toBe(200);
    const body = searchResponseSchema.parse(response.json());
    expect(body.results).toHaveLength(2);
    expect(body.results[0]).toMatchObject({ chapter: 'URDF', heading: 'Describing joints', url: '/docs/ros2/urdf#describing-joints' });
    expect(body.results[0]?.score).toBeGreaterThan(body.results[1]?.score ?? Infinity);
    // Only the published fields leave the server.
    expect(Object.keys(response.json<{ results: object[] }>().results[0] ?? {}).sort()).toEqual(Object.keys(body.results[0] ?? {}).sort());
    expect(response.json<{ results: object[] }>().results[0]).not.toHaveProperty('position');
  });

  it.each([
    [{ q: '' }, 'query.q'],
    [{ q: '   ' }, 'query.q'],
    [{ q: 'x'.repeat(2_001) }, 'query.q'],
    [{ q: 'joints', k: '0' }, 'query.k'],
    [{ q: 'joints', k: '51' }, 'query.k'],
    [{ q: 'joints', k: 'many' }, 'query.k'],
    [{}, 'query.q'],
  ])('rejects %j with 400 naming %s', async (query, field) => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/search', query });
    expect(response.statusCode).toBe(400);
    const { error } = errorResponseSchema.parse(response.json());
    expect(error.code).toBe('validation_failed');
    expect(error.fields?.map((entry) => entry.field)).toContain(field);
  });

  it('reports the active store at /api/v1/qdrant/status', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/qdrant/status' });
    expect(response.statusCode).toBe(200);
    expect(storeStatusSchema.parse(response.json())).toMatchObject({
      status: 'connected',
      collection: 'physical_ai_course',
      store: 'pglite',
      vectors: 2,
      dimensions: 512,
    });
  });
});
