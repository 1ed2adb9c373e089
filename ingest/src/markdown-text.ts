/**
 * Turns Markdown/MDX syntax-tree blocks into the plain text a reader would read: prose as prose,
 * code kept as fenced code, tables as `| a | b |` rows (header first), admonitions with their kind, JSX reduced to the text
 * inside it, and MDX imports/exports/expressions dropped.
 */
import type { Nodes, RootContent } from 'mdast';
import { fenceFor } from './code-fence.js';
import { tableRow } from './table-text.js';

interface DirectiveLike {
  type: 'containerDirective' | 'leafDirective' | 'textDirective';
  name: string;
  children: Nodes[];
}

const SKIPPED_BLOCKS = new Set(['yaml', 'toml', 'mdxjsEsm', 'mdxFlowExpression', 'thematicBreak', 'definition', 'footnoteDefinition']);

export function inlineText(node: Nodes): string {
  switch (node.type) {
    case 'text':
    case 'inlineCode':
      return node.value;
    case 'html':
      return stripTags(node.value);
    case 'break':
      return '\n';
    case 'image':
      return node.alt ?? '';
    case 'mdxTextExpression':
      return '';
    default:
      break;
  }
  // remark-math's nodes (when a site writes equations): the TeX as the author wrote it.
  if (node.type === 'inlineMath' && 'value' in node) return `$${node.value}$`;
  if (isDirective(node)) {
    // `ratio 3:1` or `ROS:humble` in plain prose parses as a text directive; give the text back.
    const label = node.children.map(inlineText).join('');
    return node.type === 'textDirective' ? `:${node.name}${label ? `[${label}]` : ''}` : label;
  }
  return 'children' in node ? (node.children as Nodes[]).map(inlineText).join('') : '';
}

/** The text of one block, or '' when it carries no reader-visible text. */
export function blockText(node: RootContent | Nodes): string {
  if (SKIPPED_BLOCKS.has(node.type)) return '';
  switch (node.type) {
    case 'code': {
      const fence = fenceFor(node.value);
      return `${fence}${node.lang ?? ''}\n${node.value}\n${fence}`;
    }
    case 'table':
      return node.children.map((row) => tableRow(row.children.map((cell) => inlineText(cell).trim()))).join('\n');
    case 'list':
      return node.children.map((item) => `- ${blocksText(item.children)}`).join('\n');
    case 'blockquote':
      return blocksText(node.children);
    case 'mdxJsxFlowElement':
      return blocksText(node.children as RootContent[]);
    case 'html':
      return stripTags(node.value).trim();
    default:
      break;
  }
  if (node.type === 'math' && 'value' in node) return `$$\n${node.value}\n$$`;
  if (isDirective(node) && node.type === 'containerDirective') {
    const body = blocksText(node.children as RootContent[]);
    return `${capitalize(node.name)}: ${body}`;
  }
  return inlineText(node).trim();
}

export function blocksText(nodes: readonly (RootContent | Nodes)[]): string {
  return nodes
    .map(blockText)
    .filter((text) => text !== '')
    .join('\n\n');
}

function isDirective(node: Nodes): node is Nodes & DirectiveLike {
  return node.type === 'containerDirective' || node.type === 'leafDirective' || node.type === 'textDirective';
}

function stripTags(html: string): string {
  return html.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]+>/g, '');
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
