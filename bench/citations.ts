/**
 * `npm run bench:citations`: do citation links land on a real Docusaurus site? Builds a Docusaurus 3
 * site around a third-party corpus (default: ../shared/corpora/robotics-textbook, published under a
 * GitHub Pages-style baseUrl, with stubs for the components it imports but does not contain), then
 * checks every citation URL Docent would produce — from the plugin's manifest (`--site`) and from
 * the Markdown alone — against the built files: the page exists and has an element with the anchor's id.
 * Writes bench/results/citations.json.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { collectChunks, readBuiltSite, type IdentifiedChunk, type IngestSource } from '@docent/ingest';
import { citationLanding } from '../docusaurus-plugin-docent/src/site-manifest.js';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const corpusDir = resolve(process.argv[2] ?? join(REPO_ROOT, '../shared/corpora/robotics-textbook'));
const BASE_URL = '/physical-ai-humanoid-robotic-book/';
const run = promisify(execFile);

/** Writes a site around the corpus's docs folder, with a stub for each `@site/src/components/X` it imports. */
function scaffoldSite(siteDir: string, docsDir: string): void {
  const imported = new Set<string>();
  for (const file of readdirRecursive(docsDir)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/^import\s+\w+\s+from\s+'@site\/src\/components\/([\w/]+)';/gm)) imported.add(match[1] ?? '');
  }
  for (const component of imported) {
    mkdirSync(join(siteDir, 'src/components', component), { recursive: true });
    writeFileSync(join(siteDir, 'src/components', component, 'index.js'), "import React from 'react';\nexport default function Stub(props) { return React.createElement('div', null, props.children); }\n");
  }
  const plugin = join(REPO_ROOT, 'docusaurus-plugin-docent/src/index.ts');
  writeFileSync(
    join(siteDir, 'docusaurus.config.mjs'),
    `export default {
  title: 'Corpus', url: 'https://example.github.io', baseUrl: '${BASE_URL}', onBrokenLinks: 'warn', onBrokenMarkdownLinks: 'warn',
  presets: [['@docusaurus/preset-classic', { docs: { path: ${JSON.stringify(docsDir)} }, blog: false, pages: false, theme: {} }]],
  plugins: [[${JSON.stringify(plugin)}, { server: 'https://docent.example.com' }]],
};\n`,
  );
  writeFileSync(join(siteDir, 'package.json'), '{ "private": true }\n');
}

function readdirRecursive(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.mdx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

function landing(chunks: readonly IdentifiedChunk[], outDir: string): { urls: number; pages_missing: string[]; anchors_missing: string[] } {
  const urls = [...new Set(chunks.map((chunk) => chunk.url))];
  const pagesMissing: string[] = [];
  const anchorsMissing: string[] = [];
  for (const url of urls) {
    const landing = citationLanding(outDir, BASE_URL, url);
    if (landing === 'no page') pagesMissing.push(url);
    else if (landing === 'no id') anchorsMissing.push(url);
  }
  return { urls: urls.length, pages_missing: pagesMissing, anchors_missing: anchorsMissing };
}

const docsDir = join(corpusDir, 'docs');
if (!existsSync(docsDir)) {
  console.error(`No docs folder at ${docsDir}: pass a corpus folder (one holding docs/).`);
  process.exit(1);
}
// Inside the repository's node_modules, so the site resolves Docusaurus and React from there.
mkdirSync(join(REPO_ROOT, 'node_modules/.cache/docent'), { recursive: true });
const siteDir = mkdtempSync(join(REPO_ROOT, 'node_modules/.cache/docent/citations-site-'));
try {
  scaffoldSite(siteDir, docsDir);
  const outDir = join(siteDir, 'build');
  const docusaurus = join(createRequire(import.meta.url).resolve('@docusaurus/core/package.json'), '../bin/docusaurus.mjs');
  const started = performance.now();
  await run(process.execPath, [docusaurus, 'build', siteDir, '--out-dir', outDir], {
    env: { ...process.env, NODE_ENV: 'production', DOCUSAURUS_TELEMETRY_DISABLED: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const buildSeconds = (performance.now() - started) / 1000;
  const sources: Record<string, IngestSource> = {
    'site manifest (--site)': { site: await readBuiltSite(siteDir) },
    'Markdown only (--route-base)': { docsDir, routeBase: `${BASE_URL}docs` },
  };
  const results: Record<string, ReturnType<typeof landing> & { landed: number }> = {};
  for (const [name, source] of Object.entries(sources)) {
    const { chunks } = await collectChunks(source);
    const check = landing(chunks, outDir);
    results[name] = { ...check, landed: (check.urls - check.pages_missing.length - check.anchors_missing.length) / check.urls };
  }
  console.log(`Built ${corpusDir} under ${BASE_URL} in ${buildSeconds.toFixed(0)} s.`);
  console.log('| URLs from | citation URLs | land on page and id | page missing | id missing |\n| --- | --- | --- | --- | --- |');
  for (const [name, result] of Object.entries(results)) {
    console.log(`| ${name} | ${result.urls} | ${(result.landed * 100).toFixed(1)}% | ${result.pages_missing.length} | ${result.anchors_missing.length} |`);
    for (const url of [...result.pages_missing, ...result.anchors_missing].slice(0, 5)) console.log(`  not landing: ${url}`);
  }
  const output = { corpus: corpusDir.replace(resolve(REPO_ROOT, '..'), '..'), base_url: BASE_URL, build_seconds: Math.round(buildSeconds), measured_at: new Date().toISOString(), results };
  writeFileSync(join(REPO_ROOT, 'bench/results/citations.json'), `${JSON.stringify(output, null, 2)}\n`);
} finally {
  rmSync(siteDir, { recursive: true, force: true });
}
