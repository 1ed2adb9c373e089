import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { collectChunks, readBuiltSite, type IdentifiedChunk } from '@docent/ingest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateOptions } from '../src/index.js';
import { citationLanding } from '../src/site-manifest.js';

const run = promisify(execFile);
const SITE_DIR = fileURLToPath(new URL('./fixture-site/', import.meta.url));
const PLUGIN_DIR = fileURLToPath(new URL('../', import.meta.url));
const BASE_URL = '/textbook/';
const DOCUSAURUS_BIN = join(createRequire(import.meta.url).resolve('@docusaurus/core/package.json'), '../bin/docusaurus.mjs');

/**
 * The fixture is a real Docusaurus 3 site shaped like those Docent meets: a GitHub Pages baseUrl,
 * trailingSlash false, version-like number prefixes, `slug:` with a trailing slash, `id:`,
 * `{#custom-id}`, a repeated heading, a partial, a draft and a released version.
 */
let outDir: string;
beforeAll(async () => {
  // The site loads the plugin by its package name, as a site owner would: its built entry in dist/.
  await run('npm', ['run', 'build', '--silent'], { cwd: PLUGIN_DIR });
  outDir = mkdtempSync(join(tmpdir(), 'docent-docusaurus-'));
  await run(process.execPath, [DOCUSAURUS_BIN, 'build', SITE_DIR, '--out-dir', outDir, '--no-minify'], {
    env: { ...process.env, DOCENT_SERVER: 'https://docent.example.com/', NODE_ENV: 'production', DOCUSAURUS_TELEMETRY_DISABLED: '1' },
    maxBuffer: 32 * 1024 * 1024,
  });
}, 240_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Where a citation URL fails to land on the built site: no page, or no element with the anchor's id. */
function brokenCitations(chunks: readonly IdentifiedChunk[]): string[] {
  return chunks.map((chunk) => chunk.url).filter((url) => citationLanding(outDir, BASE_URL, url) !== 'lands');
}

describe('docusaurus-plugin-docent', () => {
  it('puts the widget script on the pages of a real Docusaurus 3 build', () => {
    const html = readFileSync(join(outDir, 'docs/next/1.1-introduction-to-physical-ai.html'), 'utf8');
    const tags = html.match(/<script[^>]*docent[^>]*>/g) ?? [];
    expect(tags).toHaveLength(1);
    const tag = tags[0] ?? '';
    expect(tag).toContain('src="https://docent.example.com/widget/docent.js"');
    expect(tag).toContain('data-server="https://docent.example.com"');
    expect(tag).toContain('data-content-root="article"');
    expect(tag).toContain('data-lang="en"');
    expect(tag).toMatch(/\bdefer\b/);
    // Placement options become the script's attributes, which the widget reads.
    expect(tag).toContain('data-position="bottom-left"');
    expect(tag).toContain('data-offset-x="96"');
    // At the end of the body, after the page content.
    expect(html.indexOf(tag)).toBeGreaterThan(html.indexOf('Physical AI is intelligence'));
  });

  it('writes a manifest from which every citation lands on a built page and heading', async () => {
    // The build went to a temporary folder, not the site's build/: say where the sources are.
    const site = await readBuiltSite(join(outDir, 'docent-manifest.json'), 'all');
    const { files, chunks, failed, skipped } = await collectChunks({ site: { ...site, siteDir: SITE_DIR } });
    expect(failed).toEqual([]);
    expect(files).toBe(8); // 7 current pages (no draft, no partial) + the released 1.0 intro
    // The plugin's `exclude` option travels in the manifest: the template page is published but not ingested.
    expect(skipped).toEqual([{ file: 'docs/templates/lesson-template.md', reason: 'excluded' }]);
    expect(new Set(chunks.map((chunk) => chunk.url.split('#')[0]))).toEqual(
      new Set([
        '/textbook/docs/intro', // version 1.0, the latest release, at the docs root
        '/textbook/docs/next/intro',
        '/textbook/docs/next/1.1-introduction-to-physical-ai',
        '/textbook/docs/next/basics',
        '/textbook/docs/next/basics/first-steps',
        '/textbook/docs/next/guides/moved-here',
        '/textbook/docs/next/guides/renamed-doc',
        '/textbook/docs/next/guides/uses-partial',
      ]),
    );
    expect(chunks.map((chunk) => chunk.url)).toEqual(
      expect.arrayContaining([
        '/textbook/docs/next/1.1-introduction-to-physical-ai#sensing',
        '/textbook/docs/next/basics/first-steps#setup',
        '/textbook/docs/next/basics/first-steps#setup-1',
      ]),
    );
    expect(brokenCitations(chunks)).toEqual([]);
  });

  it('ingests only the version readers see at the docs root unless asked for all', async () => {
    const site = await readBuiltSite(join(outDir, 'docent-manifest.json'));
    const { chunks } = await collectChunks({ site: { ...site, siteDir: SITE_DIR } });
    expect(new Set(chunks.map((chunk) => chunk.url.split('#')[0]))).toEqual(new Set(['/textbook/docs/intro']));
    expect(chunks.every((chunk) => chunk.doc_path.startsWith('versioned_docs/version-1.0/'))).toBe(true);
  });

  it('computes the same URLs from the Markdown alone, given the base URL and trailingSlash', async () => {
    const { chunks, failed, skipped } = await collectChunks({ docsDir: join(SITE_DIR, 'docs'), routeBase: '/textbook/docs/next', trailingSlash: false, exclude: ['**/*-template.md'] });
    expect(failed).toEqual([]);
    expect(skipped).toEqual([
      { file: 'templates/lesson-template.md', reason: 'excluded' },
      { file: 'draft-notes.md', reason: 'draft' },
    ]);
    expect(chunks.some((chunk) => chunk.url.includes('draft'))).toBe(false);
    expect(brokenCitations(chunks)).toEqual([]);
  });

  it('packs as an installable package: built ESM entry with types, README, Docusaurus 3 as a peer', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: PLUGIN_DIR });
    const [packed] = JSON.parse(stdout) as { name: string; files: { path: string }[] }[];
    expect(packed?.name).toBe('docusaurus-plugin-docent');
    expect(packed?.files.map((file) => file.path).sort()).toEqual(['README.md', 'dist/index.d.ts', 'dist/index.js', 'dist/site-manifest.d.ts', 'dist/site-manifest.js', 'package.json']);
    const manifest = JSON.parse(readFileSync(join(PLUGIN_DIR, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ type: 'module', exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js', default: './dist/index.js' } }, peerDependencies: { '@docusaurus/core': '^3.0.0' } });
    expect(manifest).not.toHaveProperty('private');
    const entry = (await import(join(PLUGIN_DIR, 'dist/index.js'))) as { default: unknown; validateOptions: unknown };
    expect(typeof entry.default).toBe('function');
    expect(typeof entry.validateOptions).toBe('function');
  });

  it('stops a build with a clear message when an option is wrong', () => {
    const validate = (options: Record<string, unknown>) => () => validateOptions({ options, validate: () => options } as never);
    expect(validate({})).toThrow(/docusaurus-plugin-docent: server /);
    expect(validate({ server: 'javascript:alert(1)' })).toThrow(/server must be the Docent server URL/);
    expect(validate({ server: 'https://d.example.com', theme: 'purple' })).toThrow(/theme/);
    expect(validate({ server: 'https://d.example.com', offsetX: '10px; color: red' })).toThrow(/offsetX/);
    expect(validate({ server: 'https://d.example.com', position: 'top-left' })).toThrow(/position/);
    expect(validate({ server: 'https://d.example.com/', lang: 'ur' })()).toMatchObject({ server: 'https://d.example.com', lang: 'ur', contentRoot: 'article' });
  });
});
