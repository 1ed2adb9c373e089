import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunkDocument, listDocuments, parseDocument } from '@docent/ingest';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandlers } from '../../src/http/error-handler.js';
import { BUNDLED_COURSE_DIR, BUNDLED_COURSE_ROUTES } from '../../src/knowledge/bundled-course.js';
import { WIDGET_SCRIPT_TAG } from '../../src/site/page-layout.js';
import { siteRoutes } from '../../src/site/site-routes.js';
import { startTestApp, temporaryDirectory, type TestApp } from '../helpers/app.js';

/** The bundled course in reading order: modules by `_category_.json` position, chapters by `sidebar_position`. */
const EXPECTED_CHAPTER_ROUTES = [
  '/docs/ros2/nodes-and-topics',
  '/docs/ros2/services-and-actions',
  '/docs/ros2/urdf-robot-description',
  '/docs/simulation/gazebo',
  '/docs/simulation/isaac-sim',
  '/docs/simulation/sensors-and-perception',
  '/docs/control/kinematics',
  '/docs/control', // control/control.md: a file named like its folder stands for the folder.
  '/docs/control/locomotion-and-balance',
  '/docs/intelligence/vla-models',
  '/docs/intelligence/sim-to-real',
  '/docs/intelligence/safety',
];

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

let testApp: TestApp;
const pages = new Map<string, string>();

beforeAll(async () => {
  testApp = await startTestApp('pglite');
});
afterAll(() => testApp?.close());

async function page(url: string): Promise<string> {
  const cached = pages.get(url);
  if (cached !== undefined) return cached;
  const response = await testApp.app.inject({ method: 'GET', url, headers: HTML });
  expect(response.statusCode, url).toBe(200);
  pages.set(url, response.body);
  return response.body;
}

function elementIds(html: string): Set<string> {
  return new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((match) => decodeHtml(match[1] ?? '')));
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/\shref="([^"]*)"/g)].map((match) => decodeHtml(match[1] ?? ''));
}

function decodeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code))).replaceAll('&amp;', '&').replaceAll('&quot;', '"');
}

/** The part of a page between two markers (the home page's contents, a page's sidebar). */
function between(html: string, start: string, end: string): string {
  const from = html.indexOf(start);
  expect(from, `page has ${start}`).toBeGreaterThan(-1);
  return html.slice(from, html.indexOf(end, from));
}

describe('the home page', () => {
  it('shows the course title and lists all 12 chapters in module and chapter order', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<h1>Physical AI &#38; Humanoid Robotics</h1>');
    expect(response.body).toContain('<title>Physical AI &#38; Humanoid Robotics</title>');
    const contents = between(response.body, '<article class="home">', '</article>');
    expect(hrefs(contents)).toEqual(EXPECTED_CHAPTER_ROUTES);
    const labels = [...contents.matchAll(/<h3>([^<]+)<\/h3>/g)].map((match) => match[1]);
    expect(labels).toEqual([
      '1. The Robotic Nervous System: ROS 2',
      '2. Digital Twins: Simulation and Perception',
      '3. Moving the Body: Kinematics, Control and Locomotion',
      '4. Robot Intelligence: VLA Models, Sim-to-Real and Safety',
    ]);
  });

  it('links to chapters that open, each with its title', async () => {
    for (const route of EXPECTED_CHAPTER_ROUTES) {
      const html = await page(route);
      expect(html).toMatch(/<h1[^>]*>[^<]+/);
      expect(html).toContain(`<a href="${route}" aria-current="page">`);
    }
  });
});

describe('chapter pages', () => {
  it('carry every heading id the ingest cites, on the page at the URL the ingest cites (all bundled chapters)', async () => {
    const files = await listDocuments(BUNDLED_COURSE_DIR);
    expect(files).toHaveLength(12);
    let checkedAnchors = 0;
    for (const file of files) {
      const document = parseDocument(readFileSync(join(BUNDLED_COURSE_DIR, file), 'utf8'), file, BUNDLED_COURSE_ROUTES);
      for (const chunk of chunkDocument(document)) {
        const citation = new URL(chunk.url, 'http://docent.test');
        const ids = elementIds(await page(citation.pathname));
        if (chunk.anchor === '') continue;
        expect(citation.hash).toBe(`#${chunk.anchor}`);
        expect(ids.has(chunk.anchor), `${chunk.url} (${file}) has an element with id "${chunk.anchor}"`).toBe(true);
        checkedAnchors += 1;
      }
    }
    expect(checkedAnchors).toBeGreaterThan(50);
  });

  it('honours an explicit {#tf-tree} heading id and keeps the marker out of the text', async () => {
    const html = await page('/docs/ros2/urdf-robot-description');
    expect(html).toMatch(/<h2 id="tf-tree">The transform tree<a class="heading-anchor" href="#tf-tree"/);
    expect(html).not.toContain('{#');
  });

  it('renders admonitions, code blocks and tables', async () => {
    const safety = await page('/docs/intelligence/safety');
    // `:::danger Title` (Docusaurus's title syntax) becomes a box with that title.
    expect(safety).toContain('<div class="admonition admonition-danger"><p class="admonition-title">Stopping a humanoid is not the same as stopping an arm</p>');
    expect(safety).toContain('<div class="admonition admonition-warning"><p class="admonition-title">Warning</p>');
    expect(safety).not.toContain(':::');
    expect(safety).toMatch(/<table tabindex="0">\s*<thead>\s*<tr>\s*<th>Standard<\/th>/);
    const nodes = await page('/docs/ros2/nodes-and-topics');
    expect(nodes).toMatch(/<pre tabindex="0"><code class="language-python">/);
  });

  it('renders MDX: Tabs content in sequence, <details>, no import lines, file links as page links', async () => {
    const html = await page('/docs/simulation/isaac-sim');
    expect(html).toContain('<p class="tab-label">Gazebo</p>');
    expect(html).toContain('<p class="tab-label">Isaac Sim</p>');
    expect(html).toContain('Isaac Sim loads the bridge as an extension inside the simulator.');
    expect(html).toContain('<code class="language-python">from isaacsim import SimulationApp');
    expect(html).toContain('<details><summary>Why USD instead of URDF or SDF?</summary>');
    expect(html).not.toMatch(/import (Tabs|TabItem)|@theme|<Tabs|<TabItem/);
    expect(html).toContain('<a href="/docs/simulation/gazebo">Gazebo</a>');
    // No `# Title` in the file: the page shows the front matter title.
    expect(html).toContain('<h1>NVIDIA Isaac Sim and Isaac Lab</h1>');
  });

  it('is a complete, accessible page shell that loads the stylesheet and the widget', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/docs/control/kinematics', headers: HTML });
    const html = response.body;
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toMatch(/<title>[^<]*Kinematics[^<]* \| Physical AI &#38; Humanoid Robotics<\/title>/);
    expect(html).toContain('<main id="content"');
    expect(html).toContain('<nav class="sidebar" aria-label="Course contents">');
    expect(html).toContain(`${WIDGET_SCRIPT_TAG}\n</body>`);
    expect(html.match(/<script\b/g)).toHaveLength(1);
    expect(html).toMatch(/<a class="pagination-prev" rel="prev" href="\/docs\/simulation\/sensors-and-perception">/);
    const stylesheet = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1] ?? '';
    const css = await testApp.app.inject({ method: 'GET', url: stylesheet });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toContain('immutable');
    expect(css.body).toContain('prefers-color-scheme: dark');
  });

  it('redirects the trailing-slash variant of a page to the page', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/docs/ros2/nodes-and-topics/?from=chat', headers: HTML });
    expect(response.statusCode).toBe(301);
    expect(response.headers.location).toBe('/docs/ros2/nodes-and-topics?from=chat');
  });
});

describe('pages that do not exist', () => {
  it('answers a browser with a 404 page that still has the contents', async () => {
    const response = await testApp.app.inject({ method: 'GET', url: '/docs/ros2/no-such-chapter', headers: HTML });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<h1>Page not found</h1>');
    expect(hrefs(between(response.body, '<nav class="sidebar"', '</nav>'))).toEqual(EXPECTED_CHAPTER_ROUTES);
  });

  it('answers other clients, and any /api/ path, with the JSON error', async () => {
    const chapter = await testApp.app.inject({ method: 'GET', url: '/docs/ros2/no-such-chapter', headers: { accept: 'application/json' } });
    expect(chapter.statusCode).toBe(404);
    expect(chapter.headers['content-type']).toMatch(/^application\/json/);
    expect(chapter.json()).toMatchObject({ error: { code: 'not_found', message: expect.stringContaining('/docs/ros2/no-such-chapter') } });
    const api = await testApp.app.inject({ method: 'GET', url: '/api/v1/nope', headers: HTML });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});

describe('hostile course content', () => {
  const docs = temporaryDirectory();
  let app: FastifyInstance;

  beforeAll(async () => {
    mkdirSync(join(docs.path, 'evil'));
    writeFileSync(join(docs.path, 'evil', '_category_.json'), JSON.stringify({ label: 'Evil <b>module</b>', position: 1 }));
    const markdown = [
      '---',
      'title: Raw HTML <img src=x onerror=alert(1)>',
      '---',
      '',
      '## Safe heading',
      '',
      'Hello <script>alert(1)</script> world.',
      '',
      '[click](javascript:alert(1)) and [fine](https://example.com/ok)',
      '',
      '<img src=x onerror="alert(1)">',
      '',
      '<a href="javascript:alert(1)" onclick="alert(1)">link</a>',
      '',
      '<div style="position:fixed" onmouseover="alert(1)"><iframe src="https://evil.example"></iframe>text</div>',
      '',
      '<svg><script>alert(1)</script></svg>',
      '',
    ].join('\n');
    writeFileSync(join(docs.path, 'evil', 'raw.md'), markdown);
    const mdx = [
      '---',
      'title: JSX',
      '---',
      "import Evil from './evil';",
      '',
      '<script>alert(1)</script>',
      '',
      '<img src="x" onError="alert(1)" />',
      '',
      '<a href="javascript:alert(1)">jsx link</a>',
      '',
      '<details open onToggle="alert(1)"><summary>More</summary>kept text</details>',
      '',
      'Expression {alert(1)} dropped.',
      '',
    ].join('\n');
    writeFileSync(join(docs.path, 'evil', 'jsx.mdx'), mdx);

    app = Fastify();
    registerErrorHandlers(app);
    await app.register(siteRoutes, { docsDir: docs.path, routeBase: '/docs', title: 'Test <course>', intro: 'Intro & more' });
  });
  afterAll(async () => {
    await app?.close();
    docs?.remove();
  });

  it.each(['/docs/evil/raw', '/docs/evil/jsx', '/'])('%s keeps no script, javascript: URL or event handler', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    const html = response.body;
    expect(html.match(/<script\b[^>]*>/gi)).toEqual(['<script src="/widget/docent.js" data-server="" defer>']);
    expect(html).not.toMatch(/javascript:/i);
    expect(html).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/<(iframe|style|svg)\b|\sstyle=/i);
    expect(html).not.toContain('alert(1)</');
    expect(html).not.toContain('<b>');
  });

  it('keeps the harmless content around the hostile parts', async () => {
    const raw = (await app.inject({ method: 'GET', url: '/docs/evil/raw' })).body;
    expect(raw).toContain('<h2 id="safe-heading">');
    expect(raw).toContain('<a href="https://example.com/ok">fine</a>');
    expect(raw).toContain('<img src="x">');
    expect(raw).toContain('text</div>');
    const jsx = (await app.inject({ method: 'GET', url: '/docs/evil/jsx' })).body;
    expect(jsx).toContain('<details open><summary>More</summary>kept text</details>');
    expect(jsx).toContain('Expression  dropped.');
    expect(jsx).not.toContain('./evil');
  });
});
