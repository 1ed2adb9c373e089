/**
 * Parses one Docusaurus Markdown/MDX document into its title, route and heading-delimited
 * sections, each with the anchor Docusaurus gives that heading.
 */
import GithubSlugger from 'github-slugger';
import type { Heading, Nodes, Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import remarkDirective from 'remark-directive';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkMath from 'remark-math';
import remarkMdx from 'remark-mdx';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { VFileMessage } from 'vfile-message';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { blockText } from './markdown-text.js';
import { unwrapMdxCodeBlocks } from './mdx-code-blocks.js';
import { inlinePartials, type ReadImport } from './mdx-partials.js';
import { bracketAdmonitionTitles, docRoute, extractExplicitHeadingIds, stripNumberPrefix, type RouteOptions } from './docusaurus-route.js';

export interface DocumentSection {
  /** Headings from the chapter's first section level down to this one; empty for the intro. */
  headingPath: string[];
  /** The heading's id on the page ('' for the text before the first heading). */
  anchor: string;
  /** Reader-visible text of each block, in order. */
  blocks: string[];
}

export interface ParsedDocument {
  /** Relative to the docs folder, with forward slashes: `ros2/urdf-robot-description.md`. */
  docPath: string;
  title: string;
  route: string;
  sections: DocumentSection[];
}

/** A document that cannot be read as Markdown/MDX; names the file and line for the author. */
export class DocumentParseError extends Error {
  constructor(
    readonly docPath: string,
    readonly line: number | undefined,
    reason: string,
  ) {
    super(`${docPath}${line === undefined ? '' : `:${line}`}: ${reason}`);
    this.name = 'DocumentParseError';
  }
}

const frontMatterSchema = z
  .object({
    title: z.string().optional(),
    slug: z.string().optional(),
    id: z.string().optional(),
    sidebar_position: z.number().optional(),
    draft: z.boolean().optional(),
    unlisted: z.boolean().optional(),
  })
  .passthrough();
export type FrontMatter = z.infer<typeof frontMatterSchema>;

export type ParseOptions = RouteOptions;

/**
 * A document's syntax tree with its front matter and the id of every heading on the page. Shared by
 * the ingest and the course site, so a citation's `#anchor` and the page's heading ids are computed
 * once, the same way.
 */
export interface DocumentTree {
  /** `{#custom-id}` suffixes are already removed from heading text. */
  tree: Root;
  frontMatter: FrontMatter;
  /** Every heading, at any depth (inside JSX and admonitions too), with its id. */
  headingIds: Map<Heading, string>;
}

/** `readImport` reads the MDX partials the page imports, to show their text where the page does. */
export function readDocumentTree(source: string, docPath: string, readImport?: ReadImport): DocumentTree {
  const { tree, idsByLine } = preprocessAndParse(source, docPath);
  const headingIds = assignHeadingIds(tree, idsByLine);
  // After the page's ids: a partial's headings are not the page's (see mdx-partials.ts).
  if (readImport !== undefined) inlinePartials(tree, readImport, (partial, specifier) => preprocessAndParse(partial, specifier).tree);
  return { tree, frontMatter: readFrontMatter(tree, docPath), headingIds };
}

export function parseDocument(source: string, docPath: string, options: ParseOptions, readImport?: ReadImport): ParsedDocument & { frontMatter: FrontMatter } {
  return describeDocument(readDocumentTree(source, docPath, readImport), docPath, options);
}

function preprocessAndParse(source: string, docPath: string): { tree: Root; idsByLine: Map<number, string> } {
  const { source: withoutIds, idsByLine } = extractExplicitHeadingIds(bracketAdmonitionTitles(unwrapMdxCodeBlocks(source.replace(/\r\n?/g, '\n'))));
  return { tree: parseTree(withoutIds, docPath), idsByLine };
}

/** Title, route and heading-delimited sections of a document already read into a tree. */
export function describeDocument(
  { tree, frontMatter, headingIds }: DocumentTree,
  docPath: string,
  options: ParseOptions,
): ParsedDocument & { frontMatter: FrontMatter } {
  const sections: DocumentSection[] = [{ headingPath: [], anchor: '', blocks: [] }];
  const headingStack: { depth: number; text: string }[] = [];
  let firstH1: string | undefined;

  for (const node of tree.children) {
    if (node.type === 'heading') {
      const text = toString(node).trim();
      const anchor = headingIds.get(node) ?? '';
      if (node.depth === 1 && firstH1 === undefined) {
        // The page title: what follows it is the page's introduction, linked without an anchor.
        firstH1 = text;
        continue;
      }
      while (headingStack.length > 0 && (headingStack.at(-1)?.depth ?? 0) >= node.depth) headingStack.pop();
      headingStack.push({ depth: node.depth, text });
      sections.push({ headingPath: headingStack.map((heading) => heading.text), anchor, blocks: [] });
      continue;
    }
    const text = blockText(node);
    if (text !== '') sections.at(-1)?.blocks.push(text);
  }

  return {
    docPath,
    title: frontMatter.title ?? firstH1 ?? titleFromPath(docPath),
    route: docRoute(docPath, frontMatter, options),
    sections: sections.filter((section) => section.blocks.length > 0),
    frontMatter,
  };
}

/**
 * Ids as Docusaurus assigns them: every heading in document order (nested ones too, since they take
 * a slug and shift the de-duplication of later ones), an explicit `{#id}` winning over the slug.
 */
function assignHeadingIds(tree: Root, idsByLine: ReadonlyMap<number, string>): Map<Heading, string> {
  const slugger = new GithubSlugger();
  const ids = new Map<Heading, string>();
  const visit = (node: Nodes): void => {
    if (node.type === 'heading') {
      ids.set(node, idsByLine.get(node.position?.start.line ?? -1) ?? slugger.slug(toString(node).trim()));
      return;
    }
    if ('children' in node) for (const child of node.children as Nodes[]) visit(child);
  };
  visit(tree);
  return ids;
}

function parseTree(source: string, docPath: string): Root {
  const processor = (withMath: boolean) => {
    const parser = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(remarkGfm).use(remarkDirective);
    if (withMath) parser.use(remarkMath);
    if (docPath.endsWith('.mdx')) parser.use(remarkMdx);
    return parser;
  };
  try {
    return processor(false).parse(source);
  } catch (error) {
    // A site that writes equations ("$$ \int_0^{2\pi} $$") enables remark-math, or MDX would read
    // their braces as code and the site would not build. Math is tried only then: on other sites
    // "$5 or $10" is prose.
    if (error instanceof VFileMessage && source.includes('$')) {
      try {
        return processor(true).parse(source);
      } catch {
        // The error without math is the one that names the author's mistake.
      }
    }
    if (error instanceof VFileMessage) {
      const place = error.place;
      // Some MDX errors carry their position only in the reason: "... (8:3-8:12)".
      const line = (place && 'start' in place ? place.start.line : place?.line) ?? Number(/\((\d+):\d+/.exec(error.reason)?.[1] ?? NaN);
      throw new DocumentParseError(docPath, Number.isNaN(line) ? undefined : line, `MDX does not parse: ${error.reason}`);
    }
    throw error;
  }
}

function readFrontMatter(tree: Root, docPath: string): FrontMatter {
  const yamlNode = tree.children.find((node: RootContent) => node.type === 'yaml');
  if (!yamlNode || yamlNode.type !== 'yaml') return {};
  let data: unknown;
  try {
    data = parseYaml(yamlNode.value) ?? {};
  } catch (error) {
    if (error instanceof YAMLParseError) {
      // +1: the front matter starts on the line after the opening `---`.
      const line = (error.linePos?.[0].line ?? 0) + (yamlNode.position?.start.line ?? 1);
      throw new DocumentParseError(docPath, line, `front matter is not valid YAML: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
  const parsed = frontMatterSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DocumentParseError(docPath, yamlNode.position?.start.line, `front matter field "${issue?.path.join('.')}" ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}

function titleFromPath(docPath: string): string {
  const name = stripNumberPrefix(docPath.split('/').pop()?.replace(/\.mdx?$/, '') ?? docPath);
  return name.replace(/[-_]+/g, ' ').replace(/^\w/, (letter) => letter.toUpperCase());
}
