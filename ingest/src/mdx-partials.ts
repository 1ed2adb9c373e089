/**
 * MDX partials: a page that imports `./_install.mdx` and writes `<Install />` shows the partial's
 * text there, so a reader can ask about it and be sent to that page. Docusaurus renders it; here
 * its blocks are put in the element's place. The partial's headings become plain lines of text:
 * they are not in the page's table of contents, and their ids are not the page's to link to, so
 * what a partial says is cited at the page's section that shows it.
 */
import type { Paragraph, Root, RootContent } from 'mdast';

/** Reads an imported file by its import specifier (`./_install.mdx`), or undefined when it cannot. */
export type ReadImport = (specifier: string) => { source: string; readImport: ReadImport } | undefined;

/** A partial importing partials is followed this deep, so a cycle ends. */
const MAX_DEPTH = 3;
const MDX_IMPORT = /import\s+([A-Z]\w*)\s+from\s+['"](\.{1,2}\/[^'"]+\.mdx?)['"]/g;

/** `parse` reads a partial's source as a page's (it may throw: that partial is then left out). */
export function inlinePartials(tree: Root, readImport: ReadImport, parse: (source: string, specifier: string) => Root, depth = 0): void {
  if (depth >= MAX_DEPTH) return;
  const imports = new Map<string, string>();
  for (const node of tree.children) {
    if (node.type !== 'mdxjsEsm') continue;
    for (const [, name, specifier] of node.value.matchAll(MDX_IMPORT)) if (name && specifier) imports.set(name, specifier);
  }
  if (imports.size === 0) return;
  const expand = (children: RootContent[]): RootContent[] =>
    children.flatMap((child) => {
      if (child.type === 'mdxJsxFlowElement' && child.name !== null && imports.has(child.name) && child.children.length === 0) {
        const specifier = imports.get(child.name) as string;
        const partial = readImport(specifier);
        const partialTree = partial === undefined ? undefined : parsedOrUndefined(() => parse(partial.source, specifier));
        if (partial === undefined || partialTree === undefined) return [child];
        inlinePartials(partialTree, partial.readImport, parse, depth + 1);
        return partialTree.children.filter((node) => node.type !== 'yaml').map(headingAsText);
      }
      if ('children' in child) (child as { children: RootContent[] }).children = expand((child as { children: RootContent[] }).children);
      return [child];
    });
  tree.children = expand(tree.children);
}

function headingAsText(node: RootContent): RootContent {
  if (node.type !== 'heading') return node;
  const paragraph: Paragraph = { type: 'paragraph', children: node.children as Paragraph['children'] };
  return paragraph;
}

function parsedOrUndefined(parse: () => Root): Root | undefined {
  try {
    return parse();
  } catch {
    // A partial that does not parse breaks the page's build, which the author sees there.
    return undefined;
  }
}
