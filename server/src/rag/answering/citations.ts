/**
 * Removes `[n]` markers that point at no source, from text that arrives in pieces: a marker split
 * across two pieces (`[1` + `2]`) is held back until it is complete, so a reader never sees a
 * citation that leads nowhere, and valid ones are recorded as cited.
 */
export class CitationFilter {
  private pending = '';
  readonly cited = new Set<number>();

  constructor(private readonly validIds: ReadonlySet<number>) {}

  /** Text safe to show now. */
  push(piece: string): string {
    const text = this.pending + piece;
    // Hold back a trailing `[` or `[12` that may still become a marker.
    const open = /\[\d{0,3}$/.exec(text);
    this.pending = open ? open[0] : '';
    return this.clean(open ? text.slice(0, open.index) : text);
  }

  /** Whatever was held back, once the stream has ended. */
  flush(): string {
    const rest = this.clean(this.pending);
    this.pending = '';
    return rest;
  }

  private clean(text: string): string {
    return text.replace(/ ?\[(\d{1,3})\]/g, (marker, digits: string) => {
      const id = Number(digits);
      if (!this.validIds.has(id)) return '';
      this.cited.add(id);
      return marker;
    });
  }
}
