/**
 * Page routes and heading anchors computed exactly as Docusaurus computes them, so every citation
 * link lands on the section it names.
 */
import { posix } from 'node:path';

/** `01-intro.md` → `intro`: Docusaurus strips numeric ordering prefixes from ids and routes. */
const NUMBER_PREFIX = /^\d+\s*[-_.]+\s*/;

/**
 * The route of a doc: front matter `slug` when present (absolute, or relative to the doc's folder),
 * else its folder path plus file name without extension or number prefixes; `index`/`README`
 * files stand for their folder.
 */
export function docRoute(docPath: string, slug: string | undefined, routeBase: string): string {
  const directory = posix
    .dirname(docPath)
    .split('/')
    .filter((part) => part !== '.' && part !== '')
    .map((part) => part.replace(NUMBER_PREFIX, ''));
  const fileName = posix.basename(docPath).replace(/\.mdx?$/, '').replace(NUMBER_PREFIX, '');
  let path: string;
  if (slug !== undefined) {
    path = slug.startsWith('/') ? slug : posix.join('/', ...directory, slug);
  } else if (/^(index|readme)$/i.test(fileName) || fileName === directory.at(-1)) {
    path = posix.join('/', ...directory);
  } else {
    path = posix.join('/', ...directory, fileName);
  }
  const base = routeBase.replace(/\/+$/, '');
  const joined = `${base}${path === '/' ? '' : path}`;
  return joined === '' ? '/' : joined;
}

/** Explicit heading ids (`## Title {#custom-id}`), as Docusaurus writes them. */
const EXPLICIT_HEADING_ID = /^(\s{0,3}#{1,6}\s.*?)\s*\{#([^}\s]+)\}\s*$/;
const FENCE = /^\s{0,3}(`{3,}|~{3,})/;

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
  let openFence: string | undefined;
  return source
    .split('\n')
    .map((line, index) => {
      const fence = FENCE.exec(line)?.[1];
      if (fence) {
        if (openFence === undefined) openFence = fence[0];
        else if (fence[0] === openFence) openFence = undefined;
        return line;
      }
      return openFence === undefined ? rewrite(line, index + 1) : line;
    })
    .join('\n');
}
