/**
 * Just enough Markdown for checking the docs: fenced code blocks (with their info string and line),
 * headings and their GitHub anchors, and relative links outside code.
 */
import GithubSlugger from 'github-slugger';

export interface CodeBlock {
  /** The text after the opening fence, trimmed: `sh runnable`, `sh`, `promql`... */
  info: string;
  /** 1-based lines of the opening and the closing fence. */
  line: number;
  endLine: number;
  code: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;

/** Every fenced block, in order. An unclosed fence is an error: it would hide the rest of the file. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let open: { indent: number; fence: string; info: string; line: number; body: string[] } | undefined;
  markdown.split('\n').forEach((text, index) => {
    const fence = FENCE.exec(text);
    if (!open) {
      if (fence) open = { indent: fence[1]?.length ?? 0, fence: fence[2] ?? '```', info: (fence[3] ?? '').trim(), line: index + 1, body: [] };
      return;
    }
    const closing = fence?.[2];
    if (closing && closing[0] === open.fence[0] && closing.length >= open.fence.length && (fence?.[3] ?? '').trim() === '') {
      blocks.push({ info: open.info, line: open.line, endLine: index + 1, code: open.body.join('\n') });
      open = undefined;
      return;
    }
    open.body.push(text.slice(Math.min(open.indent, text.length - text.trimStart().length)));
  });
  if (open) throw new Error(`the code block opened on line ${open.line} is never closed`);
  return blocks;
}

/** The Markdown with fenced blocks and inline code blanked out, so their contents are not read as prose. */
export function proseOnly(markdown: string): string {
  return withoutCodeBlocks(markdown).replace(/(`+)[^`]*?\1/g, '');
}

/** The anchors GitHub gives the headings of a document (`## Database down` → `database-down`). */
export function headingAnchors(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const line of withoutCodeBlocks(markdown).split('\n')) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading?.[1]) anchors.add(slugger.slug(heading[1]));
  }
  return anchors;
}

/** Blanks every line of every fenced block, fences included; line numbers stay the same. */
function withoutCodeBlocks(markdown: string): string {
  const lines = markdown.split('\n');
  for (const block of codeBlocks(markdown)) {
    for (let line = block.line - 1; line < block.endLine; line += 1) lines[line] = '';
  }
  return lines.join('\n');
}

/** Targets of inline links that are not absolute URLs: `OPS_RUNBOOK.md#database-down`, `#symptoms`, `../README.md`. */
export function relativeLinks(markdown: string): string[] {
  const targets: string[] = [];
  for (const match of proseOnly(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1] ?? '';
    if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) targets.push(target);
  }
  return targets;
}
