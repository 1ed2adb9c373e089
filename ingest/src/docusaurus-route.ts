/**
 * Page routes and heading anchors computed exactly as Docusaurus computes them, so every citation
 * link lands on the section it names.
 */
import { posix } from 'node:path';
import { codeLines } from './code-fence.js';

/**
 * Docusaurus's number-prefix rule: `01-intro` → `intro`, `003 - setup` → `setup`, but prefixes that
 * look like versions or dates stay (`1.1-introduction`, `2021-11-notes`), as do names that are only a
 * number. Folder names follow the same rule.
 */
const VERSION_LIKE_PREFIX = /^\d+[-_.]\d+/;
const NUMBER_PREFIX = /^\d+\s*[-_.]+\s*([^-_.\s].*)$/;

export function stripNumberPrefix(name: string): string {
  if (VERSION_LIKE_PREFIX.test(name)) return name;
  return NUMBER_PREFIX.exec(name)?.[1] ?? name;
}

export interface RouteOptions {
  /** URL prefix of the docs: the site's `baseUrl` joined with the docs `routeBasePath` (`/docs`). */
  routeBase: string;
  /**
   * The site's `trailingSlash`: `true` adds one, `false` removes one, unset keeps what the slug says
   * (Docusaurus's default, under which a folder's index page ends in `/`).
   */
  trailingSlash?: boolean | undefined;
}

/**
 * The URL of a doc, computed as Docusaurus computes its permalink: an absolute front matter `slug`
 * as is; a folder's index page (`index`, `README`, or the folder's own name) at the folder; else the
 * relative `slug`, or the `id`, or the file name without its number prefix, resolved against the
 * folder path without number prefixes.
 */
export function docRoute(docPath: string, frontMatter: { slug?: string | undefined; id?: string | undefined }, options: RouteOptions): string {
  const folder = posix.dirname(docPath);
  const fileName = posix.parse(docPath).name;
  const folderSlug = folder === '.' ? '/' : `/${folder.split('/').map(stripNumberPrefix).join('/')}/`;
  let slug: string;
  if (frontMatter.slug?.startsWith('/')) slug = frontMatter.slug;
  else if (frontMatter.slug === undefined && isFolderIndex(fileName, folder)) slug = folderSlug;
  else slug = resolveAgainst(frontMatter.slug ?? frontMatter.id ?? stripNumberPrefix(fileName), folderSlug);
  const permalink = `/${options.routeBase}/${slug}`.replace(/\/{2,}/g, '/');
  return withTrailingSlash(permalink, options.trailingSlash);
}

/** Docusaurus compares the raw names (prefixes included): `02-setup/02-setup.md` is the folder's page. */
function isFolderIndex(fileName: string, folder: string): boolean {
  const name = fileName.toLowerCase();
  return name === 'index' || name === 'readme' || (folder !== '.' && name === posix.basename(folder).toLowerCase());
}

/** URL resolution of a relative slug (`../x`, `y/`) against a folder URL, as a browser would. */
function resolveAgainst(slug: string, folderSlug: string): string {
  return decodeURI(new URL(slug, `http://docs.invalid${folderSlug}`).pathname);
}

export function withTrailingSlash(path: string, trailingSlash: boolean | undefined): string {
  if (trailingSlash === undefined || path === '/') return path;
  const bare = path.replace(/\/+$/, '');
  return trailingSlash ? `${bare}/` : bare || '/';
}

/**
 * The docs version a source file belongs to, by Docusaurus's folder layout: `versioned_docs/
 * version-2.0/…` (or its translation under `i18n/<locale>/docusaurus-plugin-content-docs/version-2.0/`)
 * is `2.0`; anything else is the current version. Paths relative to a docs folder are all current.
 */
export function docsVersionOf(docPath: string): string {
  const versioned = /^(?:versioned_docs|i18n\/[^/]+\/docusaurus-plugin-content-docs(?:-[^/]+)?)\/version-([^/]+)\//.exec(docPath);
  return versioned?.[1] ?? 'current';
}

/** Explicit heading ids (`## Title {#custom-id}`), as Docusaurus writes them. */
const EXPLICIT_HEADING_ID = /^(\s{0,3}#{1,6}\s.*?)\s*\{#([^}\s]+)\}\s*$/;

/**
 * Removes `{#id}` suffixes from heading lines (outside code fences) before parsing, since MDX would
 * read them as expressions, and returns the ids by line number. Line numbers do not change.
 */
export function extractExplicitHeadingIds(source: string): { source: string; idsByLine: Map<number, string> } {
  const idsByLine = new Map<number, string>();
  const rewritten = rewriteLinesOutsideCode(source, (line, lineNumber) => {
    const match = EXPLICIT_HEADING_ID.exec(line);
    if (!match?.[1] || !match[2]) return line;
    idsByLine.set(lineNumber, match[2]);
    return match[1];
  });
  return { source: rewritten, idsByLine };
}

/** `:::danger Some title`: Docusaurus's admonition title syntax (remark-directive reads only `[…]`). */
const ADMONITION_WITH_TITLE = /^(\s{0,3}:{3,})(note|tip|info|warning|danger|caution|important|success|secondary)[ \t]+(\S.*?)\s*$/;

/**
 * Rewrites `:::tip Title` to `:::tip[Title]`, so the admonition parses as one (otherwise its whole
 * text, markers included, reads as a paragraph). Line numbers do not change.
 */
export function bracketAdmonitionTitles(source: string): string {
  return rewriteLinesOutsideCode(source, (line) => {
    const match = ADMONITION_WITH_TITLE.exec(line);
    if (!match?.[1] || !match[2] || !match[3]) return line;
    return `${match[1]}${match[2]}[${match[3].replace(/[[\]]/g, '\\$&')}]`;
  });
}

/** Applies `rewrite` to every line that is not inside a fenced code block (1-based line numbers). */
function rewriteLinesOutsideCode(source: string, rewrite: (line: string, lineNumber: number) => string): string {
  const lines = source.split('\n');
  const inCode = codeLines(lines);
  return lines.map((line, index) => (inCode[index] ? line : rewrite(line, index + 1))).join('\n');
}
