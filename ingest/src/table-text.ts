/**
 * How a table reads in chunk text: one `| a | b |` line per row, the header first, a pipe inside
 * a cell escaped (`number \| null`). The ingest writes it; the answer side reads rows back.
 */

export function tableRow(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/** A block of `| … |` lines: a table as the ingest writes it. */
export function isTableBlock(block: string): boolean {
  const lines = block.split('\n');
  return lines.length >= 2 && lines.every(isTableLine);
}

export function isTableLine(line: string): boolean {
  return line.startsWith('|') && line.endsWith('|') && line.length >= 2;
}

/** The cells of one `| a | b |` line, unescaped. */
export function tableCells(line: string): string[] {
  const inner = line.replace(/^\|\s?/, '').replace(/\s?\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}
