import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../src/index.js';

const run = promisify(execFile);
const SITE_DIR = fileURLToPath(new URL('./fixture-site/', import.meta.url));
const DOCUSAURUS_BIN = join(createRequire(import.meta.url).resolve('@docusaurus/core/package.json'), '../bin/docusaurus.mjs');

async function buildSite(env: Record<string, string>): Promise<{ html: string; cleanup(): void }> {
  const outDir = mkdtempSync(join(tmpdir(), 'docent-docusaurus-'));
  await run(process.execPath, [DOCUSAURUS_BIN, 'build', SITE_DIR, '--out-dir', outDir, '--no-minify'], {
    env: { ...process.env, ...env, NODE_ENV: 'production', DOCUSAURUS_TELEMETRY_DISABLED: '1' },
    maxBuffer: 32 * 1024 * 1024,
  });
  return { html: readFileSync(join(outDir, 'index.html'), 'utf8'), cleanup: () => rmSync(outDir, { recursive: true, force: true }) };
}

describe('docusaurus-plugin-docent', () => {
  it('puts the widget script on the pages of a real Docusaurus 3 build', { timeout: 180_000 }, async () => {
    const site = await buildSite({ DOCENT_SERVER: 'https://docent.example.com/' });
    try {
      const tags = site.html.match(/<script[^>]*docent[^>]*>/g) ?? [];
      expect(tags).toHaveLength(1);
      const tag = tags[0] ?? '';
      expect(tag).toContain('src="https://docent.example.com/widget/docent.js"');
      expect(tag).toContain('data-server="https://docent.example.com"');
      expect(tag).toContain('data-content-root="article"');
      expect(tag).toContain('data-lang="en"');
      expect(tag).toMatch(/\bdefer\b/);
      // At the end of the body, after the page content.
      expect(site.html.indexOf(tag)).toBeGreaterThan(site.html.indexOf('Describing joints'));
    } finally {
      site.cleanup();
    }
  });

  it('stops a build with a clear message when an option is wrong', () => {
    const validate = (options: Record<string, unknown>) => () => validateOptions({ options, validate: () => options } as never);
    expect(validate({})).toThrow(/docusaurus-plugin-docent: server /);
    expect(validate({ server: 'javascript:alert(1)' })).toThrow(/server must be the Docent server URL/);
    expect(validate({ server: 'https://d.example.com', theme: 'purple' })).toThrow(/theme/);
    expect(validate({ server: 'https://d.example.com/', lang: 'ur' })()).toMatchObject({ server: 'https://d.example.com', lang: 'ur', contentRoot: 'article' });
  });
});
