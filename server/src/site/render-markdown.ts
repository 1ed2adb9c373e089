/**
 * Turns a course document's syntax tree (as the ingest parsed it) into safe HTML: headings carry
 * the ingest's ids, admonitions and Docusaurus components become styled blocks, MDX code is
 * dropped, and everything passes an allowlist sanitizer, since course files are not trusted to be
 * free of scripts.
 */
import type { Element, ElementContent, Properties } from 'hast';
import type { Code, Heading, Nodes, Paragraph, Root, RootContent, Table } from 'mdast';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import remarkRehype, { defaultHandlers, type Options as RemarkRehypeOptions } from 'remark-rehype';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';

type Handlers = NonNullable<RemarkRehypeOptions['handlers']>;
type State = Parameters<NonNullable<Handlers['heading']>>[0];
type SanitizePropertyDefinition = NonNullable<SanitizeSchema['attributes']>[string][number];

/** The parts of MDX JSX and directive nodes used here (their packages are the ingest's). */
interface JsxElementNode {
  type: 'mdxJsxFlowElement' | 'mdxJsxTextElement';
  name: string | null;
  attributes: { type: string; name?: string; value?: unknown }[];
  children: Nodes[];
}
interface DirectiveNode {
  type: 'containerDirective' | 'leafDirective' | 'textDirective';
  name: string;
  children: Nodes[];
}

export interface RenderInput {
  tree: Root;
  headingIds: ReadonlyMap<Heading, string>;
  /** Rewrites a link target (`./gazebo.md#x` → `/docs/simulation/gazebo#x`); returns it unchanged otherwise. */
  resolveLink: (url: string) => string;
}

/** JSX names that render as blocks (see `jsxElement`), whatever line they were written on. */
const BLOCK_JSX = new Set([
  ...['address', 'aside', 'blockquote', 'details', 'div', 'dl', 'figure', 'hr', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'ul'],
  ...['Tabs', 'TabItem', 'Admonition'],
]);

const ADMONITION_KINDS = new Set(['note', 'tip', 'info', 'warning', 'danger', 'caution', 'important', 'success', 'secondary']);

/**
 * What may reach the page: GitHub's allowlist (no scripts, no event handlers, only http(s)/mailto
 * links), plus exact ids on headings (citations link to them, so they must not get GitHub's
 * `user-content-` prefix) and the few classes this renderer sets.
 */
export const SANITIZE_SCHEMA: SanitizeSchema = {
  ...defaultSchema,
  // Ids stay as written: heading ids must equal the ingest's anchors, and remark-rehype already
  // prefixes footnote ids. Only headings and footnote parts may carry one (limits DOM clobbering).
  clobber: ['name'],
  strip: ['script', 'style'],
  attributes: {
    ...defaultSchema.attributes,
    '*': (defaultSchema.attributes?.['*'] ?? []).filter((attribute) => attribute !== 'id'),
    ...Object.fromEntries(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((tag) => [tag, ['id', ...(defaultSchema.attributes?.[tag] ?? [])]])),
    // GFM footnotes link their references and notes by id (already prefixed by remark-rehype).
    li: ['id', ...(defaultSchema.attributes?.['li'] ?? [])],
    a: ['id', ...withoutClassName(defaultSchema.attributes?.['a']), ['className', 'data-footnote-backref', 'heading-anchor']],
    div: [...(defaultSchema.attributes?.['div'] ?? []), ['className', 'admonition', /^admonition-[a-z]+$/, 'tabs', 'tab']],
    p: [['className', 'admonition-title', 'tab-label']],
  },
};

/** The sanitizer reads only the first `className` rule of an element: replace it, don't add one. */
function withoutClassName(definitions: SanitizePropertyDefinition[] | undefined): SanitizePropertyDefinition[] {
  return (definitions ?? []).filter((definition) => !(Array.isArray(definition) && definition[0] === 'className'));
}

export function renderDocumentHtml({ tree, headingIds, resolveLink }: RenderInput): string {
  visit(tree, (node) => {
    if (node.type === 'link' || node.type === 'definition') node.url = resolveLink(node.url);
  });
  const processor = unified()
    .use(remarkRehype, { allowDangerousHtml: true, handlers: handlersFor(headingIds) })
    // Raw HTML in Markdown (`<details>`, `<kbd>`…) becomes elements, so the sanitizer can judge it.
    .use(rehypeRaw)
    .use(rehypeSanitize, SANITIZE_SCHEMA)
    .use(rehypeStringify);
  return processor.stringify(processor.runSync(tree));
}

/** True when the document opens with its own `# Title`, so the page must not add another. */
export function startsWithTitleHeading(tree: Root): boolean {
  const first = tree.children.find((node) => !['yaml', 'toml', 'mdxjsEsm', 'mdxFlowExpression', 'definition'].includes(node.type));
  return first?.type === 'heading' && first.depth === 1;
}

function handlersFor(headingIds: ReadonlyMap<Heading, string>): Handlers {
  const drop = () => undefined;
  return {
    heading: (state: State, node: Heading) => {
      const element = defaultHandlers.heading(state, node);
      const id = headingIds.get(node);
      if (id !== undefined) {
        element.properties.id = id;
        element.children.push(
          hastElement('a', { className: ['heading-anchor'], href: `#${id}`, ariaLabel: `Direct link to ${textOf(element).trim()}` }, [text('#')]),
        );
      }
      return element;
    },
    paragraph: (state: State, node: Paragraph) => {
      const content = node.children.filter((child) => !(child.type === 'text' && child.value.trim() === ''));
      const only = content.length === 1 ? (content[0] as Nodes) : undefined;
      // `<summary>…</summary>` or `<Admonition …>…</Admonition>` alone on a line parses as a paragraph
      // holding one inline element; a block inside <p> would be split apart by the HTML parser.
      if (only?.type === 'mdxJsxTextElement' && BLOCK_JSX.has(only.name ?? '')) return jsxElement(state, only as unknown as JsxElementNode);
      return defaultHandlers.paragraph(state, node);
    },
    // Wide code and tables scroll sideways; keyboard users can only scroll what they can focus.
    code: (state: State, node: Code) => withProperties(defaultHandlers.code(state, node), { tabIndex: 0 }),
    table: (state: State, node: Table) => withProperties(defaultHandlers.table(state, node), { tabIndex: 0 }),
    mdxjsEsm: drop,
    mdxFlowExpression: drop,
    mdxTextExpression: drop,
    mdxJsxFlowElement: jsxElement,
    mdxJsxTextElement: jsxElement,
    containerDirective: containerDirective,
    leafDirective: (state: State, node: DirectiveNode) => hastElement('p', {}, state.all(node as unknown as RootContent)),
    // `ratio 3:1` in prose parses as a text directive: give the text back, as the ingest does.
    textDirective: (state: State, node: DirectiveNode) => {
      const label = state.all(node as unknown as RootContent);
      return [text(`:${node.name}`), ...(label.length > 0 ? [text('['), ...label, text(']')] : [])];
    },
  };
}

/**
 * Lower-case JSX is HTML (`<details>`), kept with its literal attributes for the sanitizer to
 * judge; Docusaurus components keep their content: tabs one after another, `<Admonition>` as an
 * admonition, anything else unwrapped.
 */
function jsxElement(state: State, node: JsxElementNode): ElementContent | ElementContent[] {
  const children = state.all(node as unknown as RootContent);
  const attributes = literalAttributes(node);
  if (node.name === null) return children;
  if (/^[a-z]/.test(node.name)) return hastElement(node.name, attributes, children);
  switch (node.name) {
    case 'Tabs':
      return hastElement('div', { className: ['tabs'] }, state.wrap(children, true));
    case 'TabItem': {
      const label = String(attributes['label'] ?? attributes['value'] ?? '');
      const heading = label === '' ? [] : [hastElement('p', { className: ['tab-label'] }, [text(label)])];
      return hastElement('div', { className: ['tab'] }, state.wrap([...heading, ...children], true));
    }
    case 'Admonition':
      return admonition(String(attributes['type'] ?? 'note'), attributes['title'] ? [text(String(attributes['title']))] : undefined, children);
    default:
      return children;
  }
}

function containerDirective(state: State, node: DirectiveNode): ElementContent {
  const children = state.all(node as unknown as RootContent);
  if (!ADMONITION_KINDS.has(node.name)) return hastElement('div', {}, state.wrap(children, true));
  // `:::tip[Title]` (and `:::tip Title`, rewritten so by the ingest) parses the title as a first,
  // marked paragraph.
  const first = node.children[0];
  const hasTitle = first?.type === 'paragraph' && (first.data as { directiveLabel?: boolean } | undefined)?.directiveLabel === true;
  const [titleParagraph, ...body] = children;
  return hasTitle && titleParagraph?.type === 'element'
    ? admonition(node.name, titleParagraph.children, body)
    : admonition(node.name, undefined, children);
}

function admonition(kind: string, title: ElementContent[] | undefined, body: ElementContent[]): Element {
  const safeKind = /^[a-z]+$/.test(kind) ? kind : 'note';
  const heading = hastElement('p', { className: ['admonition-title'] }, title ?? [text(safeKind.charAt(0).toUpperCase() + safeKind.slice(1))]);
  return hastElement('div', { className: ['admonition', `admonition-${safeKind}`] }, [heading, ...body]);
}

/** String attributes only: `{expressions}` and spreads are code, which this renderer does not run. */
function literalAttributes(node: JsxElementNode): Properties {
  const properties: Properties = {};
  for (const attribute of node.attributes) {
    if (attribute.type !== 'mdxJsxAttribute' || !attribute.name) continue;
    if (attribute.value !== null && attribute.value !== undefined && typeof attribute.value !== 'string') continue;
    const value = attribute.value ?? true;
    if (attribute.name === 'className' || attribute.name === 'class') properties.className = String(value).split(/\s+/).filter(Boolean);
    else properties[attribute.name] = value;
  }
  return properties;
}

function withProperties(element: Element, properties: Properties): Element {
  Object.assign(element.properties, properties);
  return element;
}

function hastElement(tagName: string, properties: Properties, children: ElementContent[]): Element {
  return { type: 'element', tagName, properties, children };
}

function textOf(node: ElementContent): string {
  if (node.type === 'text') return node.value;
  return node.type === 'element' ? node.children.map(textOf).join('') : '';
}

function text(value: string): ElementContent {
  return { type: 'text', value };
}
