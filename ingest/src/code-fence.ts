/**
 * Code fences as CommonMark reads them. A fence closes only on a run of the same character at
 * least as long as the one that opened it, with nothing after it, so a "````md" block that shows
 * a "```js" block stays open over the inner one (Docusaurus's own docs do this on every page
 * about Markdown). The ingest, the answer's passage reader and the heading-id rewrite share it.
 */
const FENCE_LINE = /^\s{0,3}(`{3,}|~{3,})(.*)$/;

/** The run of backticks or tildes that opens a fence on this line, if it opens one. */
export function openingFence(line: string): string | undefined {
  const [, run, info = ''] = FENCE_LINE.exec(line) ?? [];
  // A backtick fence's info string never holds a backtick: "```js``" is inline code.
  if (run === undefined || (run.startsWith('`') && info.includes('`'))) return undefined;
  return run;
}

/** True when the line closes the fence `open` (as returned by openingFence) started. */
export function closesFence(open: string, line: string): boolean {
  const [, run, rest = ''] = FENCE_LINE.exec(line) ?? [];
  return run !== undefined && run[0] === open[0] && run.length >= open.length && rest.trim() === '';
}

/** A fence for `code` that no line inside it can close: one backtick longer than its longest run. */
export function fenceFor(code: string): string {
  const longest = Math.max(0, ...(code.match(/^\s{0,3}`{3,}/gm) ?? []).map((run) => run.trim().length));
  return '`'.repeat(Math.max(3, longest + 1));
}

/** For each line, whether it belongs to a fenced code block (its fences included). */
export function codeLines(lines: readonly string[]): boolean[] {
  let open: string | undefined;
  return lines.map((line) => {
    if (open === undefined) {
      open = openingFence(line);
      return open !== undefined;
    }
    if (closesFence(open, line)) open = undefined;
    return true;
  });
}

/** The text without its fenced code blocks (fences included), line by line as CommonMark reads them. */
export function withoutCodeBlocks(text: string): string {
  const lines = text.split('\n');
  const inCode = codeLines(lines);
  return lines.filter((_, index) => !inCode[index]).join('\n');
}
