/** Comparing an answer with the phrase it must contain, whatever Markdown and citations surround it. */

/** Plain words of a Markdown answer: no citation markers, links reduced to their text, no emphasis or code ticks. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/\s*\[\d+\]/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`~]/g, '')
    .replace(/[‘’]/g, "'")
    .replace(/[“”]/g, '"')
    .replace(/[–—]/g, '-')
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .trim();
}

export function containsPhrase(answer: string, phrase: string): boolean {
  return plainText(answer).includes(plainText(phrase));
}

/** The page part of a citation URL: `/docs/a/b/#x` → `/docs/a/b`. */
export function routeOf(url: string): string {
  return new URL(url, 'http://site.invalid').pathname.replace(/\/+$/, '');
}
