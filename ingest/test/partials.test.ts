import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectChunks } from '../src/collect-chunks.js';

describe('MDX partials', () => {
  const docsDir = mkdtempSync(join(tmpdir(), 'docent-partials-'));
  afterAll(() => rmSync(docsDir, { recursive: true, force: true }));
  mkdirSync(join(docsDir, 'guides', '_shared'), { recursive: true });
  writeFileSync(
    join(docsDir, 'guides', 'deploy.mdx'),
    [
      '# Deploying',
      '',
      "import Prerequisites from './_shared/_prerequisites.mdx';",
      '',
      '## Before you start {#before}',
      '',
      '<Prerequisites />',
      '',
      '## Publishing {#publishing}',
      '',
      'Run the deploy command.',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(docsDir, 'guides', '_shared', '_prerequisites.mdx'),
    ["import Versions from './_versions.mdx';", '', '## Tools you need {#tools}', '', 'Install Node.js and Git before deploying.', '', '<Versions />', ''].join('\n'),
  );
  writeFileSync(join(docsDir, 'guides', '_shared', '_versions.mdx'), 'Node.js 20 or later is required.\n');

  it('shows a partial\'s text in the section of the page that renders it, cited there', async () => {
    const { chunks, failed } = await collectChunks({ docsDir, routeBase: '/docs' });
    expect(failed).toEqual([]);
    // The partials are not pages of their own, and their headings are not the page's sections.
    expect(chunks.map((chunk) => [chunk.doc_path, chunk.anchor])).toEqual([
      ['guides/deploy.mdx', 'before'],
      ['guides/deploy.mdx', 'publishing'],
    ]);
    const before = chunks[0]?.text ?? '';
    expect(before).toContain('Install Node.js and Git before deploying.');
    expect(before).toContain('Node.js 20 or later is required.');
    expect(chunks[0]?.url).toBe('/docs/guides/deploy#before');
  });
});
