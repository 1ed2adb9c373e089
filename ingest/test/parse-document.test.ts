import { createRequire } from 'node:module';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkDocument, embeddingInput, estimateTokens } from '../src/chunk-document.js';
import { docRoute, docsVersionOf } from '../src/docusaurus-route.js';
import { DocumentParseError, parseDocument, readDocumentTree } from '../src/parse-document.js';

const OPTIONS = { routeBase: '/docs' };

const MARKDOWN = `---
title: Robot Description
sidebar_position: 3
---

URDF describes a robot as links joined by joints.

## Describing joints

A joint connects a parent link to a child link.

| Type | Degrees of freedom |
| --- | --- |
| revolute | 1 |
| \`a \\| b\` | 2 |

\`\`\`xml
<joint name="elbow" type="revolute">
  <!-- ## not a heading -->
</joint>
\`\`\`

:::tip
Check limits with \`check_urdf\`.
:::

### Joint limits

Effort, velocity and position limits.

## Describing joints

The same heading twice gets a numbered anchor, as on GitHub.

## The transform tree {#tf-tree}

TF2 keeps frames in a tree. The ratio is 3:1 and ROS:humble stays as written.
`;

describe('parsing a Markdown document', () => {
  const document = parseDocument(MARKDOWN, 'ros2/urdf.md', OPTIONS);

  it('reads the title from front matter and the route from the path', () => {
    expect(document.title).toBe('Robot Description');
    expect(document.route).toBe('/docs/ros2/urdf');
  });

  it('splits by heading with Docusaurus anchors, including duplicates and explicit ids', () => {
    expect(document.sections.map((section) => [section.headingPath.join(' › '), section.anchor])).toEqual([
      ['', ''],
      ['Describing joints', 'describing-joints'],
      ['Describing joints › Joint limits', 'joint-limits'],
      ['Describing joints', 'describing-joints-1'],
      ['The transform tree', 'tf-tree'],
    ]);
  });

  it('keeps code as fenced code, tables as rows and admonitions with their kind', () => {
    const joints = document.sections[1]?.blocks.join('\n\n') ?? '';
    expect(joints).toContain('| Type | Degrees of freedom |\n| revolute | 1 |\n| a \\| b | 2 |');
    expect(joints).toContain('```xml\n<joint name="elbow" type="revolute">');
    expect(joints).toContain('<!-- ## not a heading -->');
    expect(joints).toContain('Tip: Check limits with check_urdf.');
    expect(document.sections[4]?.blocks[0]).toBe('TF2 keeps frames in a tree. The ratio is 3:1 and ROS:humble stays as written.');
  });
});

describe('parsing MDX', () => {
  const MDX = `---
title: Isaac Sim
---
import Tabs from '@theme/Tabs';
import TabItem from '@theme/TabItem';

# Ignored H1

Intro text.

## Launching {#launch}

<Tabs>
  <TabItem value="gazebo" label="Gazebo">

Run \`gz sim\` to start.

  </TabItem>
</Tabs>

export const answer = 42;

Value is {answer}.
`;

  it('strips imports, exports and expressions but keeps the text inside JSX', () => {
    const document = parseDocument(MDX, 'simulation/isaac-sim.mdx', OPTIONS);
    const text = document.sections.flatMap((section) => section.blocks).join('\n');
    expect(document.title).toBe('Isaac Sim');
    expect(document.sections.map((section) => section.anchor)).toEqual(['', 'launch']);
    expect(text).toContain('Run gz sim to start.');
    expect(text).toContain('Value is .');
    expect(text).not.toMatch(/import|export|@theme/);
  });

  it('names the file and line of MDX that does not parse', () => {
    const broken = '---\ntitle: Broken\n---\n\nText\n\n<Tabs>\n  <TabItem>\n\nunclosed\n';
    expect(() => parseDocument(broken, 'broken.mdx', OPTIONS)).toThrow(DocumentParseError);
    try {
      parseDocument(broken, 'broken.mdx', OPTIONS);
    } catch (error) {
      expect((error as DocumentParseError).message).toMatch(/^broken\.mdx:\d+: MDX does not parse/);
    }
  });

  it('names the file and line of broken front matter', () => {
    const broken = '---\ntitle: Fine\nsidebar_position: [1\n---\n\nText\n';
    expect(() => parseDocument(broken, 'bad.md', OPTIONS)).toThrow(/^bad\.md:3: front matter is not valid YAML/);
  });

  it('rejects front matter fields of the wrong type', () => {
    expect(() => parseDocument('---\ntitle: 42\n---\ntext\n', 'typed.md', OPTIONS)).toThrow(/typed\.md:1: front matter field "title"/);
  });
});

describe('Docusaurus syntax the parser must read as Docusaurus does', () => {
  it('reads `:::danger Title` as an admonition with that title, but not inside code', () => {
    const source = ':::danger Stop [safely]\nBrakes hold an arm.\n:::\n\n```md\n:::tip Not parsed\n```\n';
    const { tree } = readDocumentTree(source, 'safety.md');
    const admonition = tree.children[0];
    expect(admonition).toMatchObject({ type: 'containerDirective', name: 'danger' });
    expect(parseDocument(source, 'safety.md', OPTIONS).sections[0]?.blocks).toEqual([
      'Danger: Stop [safely]\n\nBrakes hold an arm.',
      '```md\n:::tip Not parsed\n```',
    ]);
  });

  it('gives nested headings ids too, so a later duplicate heading is de-duplicated as on the page', () => {
    const source = ':::note\n\n## Setup\n\n:::\n\n## Setup\n\nInstall it.\n';
    const { tree, headingIds } = readDocumentTree(source, 'nested.md');
    const nested = tree.children[0]?.type === 'containerDirective' ? tree.children[0].children[0] : undefined;
    expect(nested?.type === 'heading' ? headingIds.get(nested) : undefined).toBe('setup');
    expect(parseDocument(source, 'nested.md', OPTIONS).sections.map((section) => section.anchor)).toEqual(['', 'setup-1']);
  });

  it('reads a page that shows fenced code inside a longer fence, headings after it included', () => {
    // As Docusaurus's own "Code blocks" page does: a ````md block showing a ```js block.
    const source = '## Code title {#code-title}\n\n````md\n```js title="a.js"\nconst a = 1;\n```\n````\n\n## Line numbering {#line-numbering}\n\nThe counter starts at line number 1.\n';
    const document = parseDocument(source, 'code-blocks.mdx', OPTIONS);
    expect(document.sections.map((section) => [section.headingPath.join(' › '), section.anchor])).toEqual([
      ['Code title', 'code-title'],
      ['Line numbering', 'line-numbering'],
    ]);
    const [shown] = document.sections[0]?.blocks ?? [];
    expect(shown).toBe('````md\n```js title="a.js"\nconst a = 1;\n```\n````');
    // Cut into chunks and read back for an answer, the inner fence stays code.
    const chunks = chunkDocument(document);
    expect(chunks[0]?.text).toContain(shown);
  });

  it('reads "mdx-code-block" fences as the MDX they hold, as Docusaurus does, keeping line numbers', () => {
    const tabs = [
      '```mdx-code-block',
      "import Tabs from '@theme/Tabs';",
      "import TabItem from '@theme/TabItem';",
      '```',
      '',
      '## Install {#install}',
      '',
      '```mdx-code-block',
      '<Tabs>',
      '<TabItem value="npm" label="npm">',
      '```',
      '',
      'Install it with npm.',
      '',
      '```mdx-code-block',
      '</TabItem>',
      '</Tabs>',
      '```',
      '',
    ].join('\n');
    const document = parseDocument(tabs, 'install.mdx', OPTIONS);
    expect(document.sections.map((section) => [section.anchor, section.blocks])).toEqual([['install', ['Install it with npm.']]]);
    // An error after the unwrapped fences is still reported on the author's line.
    expect(() => parseDocument(`${tabs}\n<Broken>\n\nunclosed\n`, 'install.mdx', OPTIONS)).toThrow(/^install\.mdx:2[01]: MDX does not parse/);
  });

  it('reads a page with equations as a site with remark-math does, and leaves dollars in prose alone', () => {
    const equations = '## Blocks\n\nUse line breaks and $$:\n\n<Demo>\n\n$$\nI = \\int_0^{2\\pi} \\sin(x)\\,dx\n$$\n\n</Demo>\n';
    const document = parseDocument(equations, 'math.mdx', OPTIONS);
    expect(document.sections.map((section) => section.anchor)).toEqual(['blocks']);
    expect(document.sections[0]?.blocks.join('\n')).toContain('$$\nI = \\int_0^{2\\pi} \\sin(x)\\,dx\n$$');
    const prices = parseDocument('## Plans\n\nIt costs $5 or $10 a month.\n', 'plans.mdx', OPTIONS);
    expect(prices.sections[0]?.blocks).toEqual(['It costs $5 or $10 a month.']);
  });
});

describe('routes', () => {
  // Docusaurus's own slug function (plugin-content-docs), so the rules are checked against the real thing.
  const docusaurusSlug = createRequire(import.meta.url)('@docusaurus/plugin-content-docs/lib/slug.js').default as (args: {
    baseID: string;
    frontMatterSlug: string | undefined;
    source: string;
    sourceDirName: string;
  }) => string;
  const docusaurusPermalink = (path: string, frontMatter: { slug?: string; id?: string }) => {
    const fileName = posix.parse(path).name;
    const baseID = frontMatter.id ?? (/^\d+[-_.]\d+/.test(fileName) ? fileName : (/^\d+\s*[-_.]+\s*([^-_.\s].*)$/.exec(fileName)?.[1] ?? fileName));
    const slug = docusaurusSlug({ baseID, frontMatterSlug: frontMatter.slug, source: `@site/docs/${path}`, sourceDirName: posix.dirname(path) });
    return `/docs/${slug}`.replace(/\/{2,}/g, '/');
  };

  it.each<[string, { slug?: string; id?: string }]>([
    ['intro.md', {}],
    ['01-basics/02-first-node.md', {}],
    ['1.1-introduction-to-physical-ai.md', {}],
    ['module-01/1.2-sensors.mdx', {}],
    ['2021-11-release-notes.md', {}],
    ['003 - setup.md', {}],
    ['42.md', {}],
    ['guides/index.md', {}],
    ['guides/README.md', {}],
    ['guides/guides.md', {}],
    ['02-guides/02-guides.md', {}],
    ['02-guides/guides.md', {}],
    ['guides/setup.md', { slug: 'install' }],
    ['guides/setup.md', { slug: 'install/' }],
    ['guides/setup.md', { slug: '../elsewhere' }],
    ['guides/setup.md', { slug: '/start-here' }],
    ['guides/setup.md', { slug: '/start-here/' }],
    ['guides/index.md', { slug: 'overview' }],
    ['guides/setup.md', { id: 'getting-started' }],
    ['03-guides/01-setup.md', { id: 'renamed' }],
  ])('%s %o lands where Docusaurus puts it', (path, frontMatter) => {
    expect(docRoute(path, frontMatter, { routeBase: '/docs' })).toBe(docusaurusPermalink(path, frontMatter));
  });

  it.each([
    ['docs/intro.md', 'current'],
    ['intro.md', 'current'],
    ['versioned_docs/version-2.0/guides/setup.md', '2.0'],
    ['i18n/fr/docusaurus-plugin-content-docs/version-1.x/intro.md', '1.x'],
    ['i18n/fr/docusaurus-plugin-content-docs/current/intro.md', 'current'],
  ])('%s is in docs version %s', (path, version) => {
    expect(docsVersionOf(path)).toBe(version);
  });

  it('follows the site\'s baseUrl and trailingSlash', () => {
    expect(docRoute('1.1-intro.md', {}, { routeBase: '/textbook/docs/' })).toBe('/textbook/docs/1.1-intro');
    expect(docRoute('guides/index.md', {}, { routeBase: '/docs' })).toBe('/docs/guides/');
    expect(docRoute('guides/index.md', {}, { routeBase: '/docs', trailingSlash: false })).toBe('/docs/guides');
    expect(docRoute('guides/setup.md', { slug: 'install/' }, { routeBase: '/docs', trailingSlash: false })).toBe('/docs/guides/install');
    expect(docRoute('guides/setup.md', {}, { routeBase: '/docs', trailingSlash: true })).toBe('/docs/guides/setup/');
    expect(docRoute('index.md', {}, { routeBase: '/', trailingSlash: false })).toBe('/');
  });
});

describe('chunking', () => {
  it('keeps each section in its own chunks, with url, hash and payload', () => {
    const document = parseDocument(MARKDOWN, 'ros2/urdf.md', OPTIONS);
    const chunks = chunkDocument(document);
    expect(chunks.map((chunk) => chunk.url)).toEqual([
      '/docs/ros2/urdf',
      '/docs/ros2/urdf#describing-joints',
      '/docs/ros2/urdf#joint-limits',
      '/docs/ros2/urdf#describing-joints-1',
      '/docs/ros2/urdf#tf-tree',
    ]);
    expect(chunks[2]).toMatchObject({ chapter: 'Robot Description', heading: 'Describing joints › Joint limits', doc_path: 'ros2/urdf.md' });
    expect(new Set(chunks.map((chunk) => chunk.content_hash)).size).toBe(chunks.length);
    expect(embeddingInput(chunks[2] as (typeof chunks)[number])).toBe('Robot Description › Describing joints › Joint limits\n\nEffort, velocity and position limits.');
  });

  it('splits a long section into 400-token pieces that overlap a little', () => {
    const sentences = Array.from({ length: 120 }, (_, index) => `Sentence ${index} explains how a robot balances on one foot.`);
    const source = `# Balance\n\n## Long section\n\n${sentences.slice(0, 60).join(' ')}\n\n${sentences.slice(60).join(' ')}\n`;
    const chunks = chunkDocument(parseDocument(source, 'long.md', OPTIONS));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    for (const chunk of chunks) {
      expect(estimateTokens(chunk.text)).toBeLessThanOrEqual(400);
      expect(chunk.url).toBe('/docs/long#long-section');
    }
    const lastSentenceOfFirst = chunks[0]?.text.split(/(?<=\.)\s+/).at(-1) ?? '';
    // The next chunk opens with the previous chunk's last sentences (about 40 tokens).
    expect(chunks[1]?.text.slice(0, 40 * 4)).toContain(lastSentenceOfFirst);
    const allText = chunks.map((chunk) => chunk.text).join(' ');
    for (const sentence of sentences) expect(allText).toContain(sentence);
  });

  it('re-fences the pieces of a code listing too long for one chunk', () => {
    const code = Array.from({ length: 200 }, (_, index) => `    publisher.publish(message_${index})`).join('\n');
    const chunks = chunkDocument(parseDocument(`## Code\n\n\`\`\`python\n${code}\n\`\`\`\n`, 'code.md', OPTIONS));
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk.text.startsWith('```python\n')).toBe(true);
      expect(chunk.text.endsWith('\n```')).toBe(true);
    }
  });

  it('cuts a table too long for one chunk at row ends, each piece under its header row', () => {
    const rows = Array.from({ length: 120 }, (_, index) => `| option${index} | \`string\` | \`none\` | What option ${index} sets when the site is built. |`);
    const source = `## Options\n\n| Name | Type | Default | Description |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n\nAfter the table.\n`;
    const chunks = chunkDocument(parseDocument(source, 'options.md', OPTIONS));
    expect(chunks.length).toBeGreaterThan(1);
    const tablePieces = chunks.filter((chunk) => chunk.text.includes('| option'));
    expect(tablePieces.length).toBeGreaterThan(1);
    for (const chunk of tablePieces) {
      expect(chunk.text.startsWith('| Name | Type | Default | Description |\n| option')).toBe(true);
      for (const line of chunk.text.split('\n\n')[0]?.split('\n') ?? []) expect(line).toMatch(/^\| .* \|$/);
    }
    const allText = chunks.map((chunk) => chunk.text).join('\n');
    for (let index = 0; index < 120; index += 1) expect(allText).toContain(`| option${index} | string | none |`);
  });

  it('changes the content hash when the text or the heading changes, not otherwise', () => {
    const hashes = (source: string) => chunkDocument(parseDocument(source, 'a.md', OPTIONS)).map((chunk) => chunk.content_hash);
    const original = hashes('## One\n\nFirst.\n\n## Two\n\nSecond.\n');
    expect(hashes('## One\n\nFirst.\n\n## Two\n\nSecond.\n')).toEqual(original);
    const edited = hashes('## One\n\nFirst, edited.\n\n## Two\n\nSecond.\n');
    expect(edited[0]).not.toBe(original[0]);
    expect(edited[1]).toBe(original[1]);
  });
});
