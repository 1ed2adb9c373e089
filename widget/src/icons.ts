import { svg, type SVGTemplateResult } from 'lit';

/** Inline icons: no icon font or emoji font needed, so they look the same on every machine. */
const icon = (path: SVGTemplateResult): SVGTemplateResult =>
  svg`<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${path}</svg>`;

export const historyIcon = icon(svg`<path d="M3 12a9 9 0 1 0 3-6.7L3 8"/><path d="M3 3v5h5"/><path d="M12 7v5l3 2"/>`);
export const newIcon = icon(svg`<path d="M12 5v14M5 12h14"/>`);
export const closeIcon = icon(svg`<path d="M6 6l12 12M18 6L6 18"/>`);
export const thumbUpIcon = icon(svg`<path d="M7 10v11H3V10zM7 10l4-7a3 3 0 0 1 3 3v3h5a2 2 0 0 1 2 2.3l-1.4 8A2 2 0 0 1 17.6 21H7"/>`);
export const thumbDownIcon = icon(svg`<path d="M17 14V3h4v11zM17 14l-4 7a3 3 0 0 1-3-3v-3H5a2 2 0 0 1-2-2.3l1.4-8A2 2 0 0 1 6.4 3H17"/>`);
export const accountIcon = icon(svg`<circle cx="12" cy="8" r="4"/><path d="M4 21a8 8 0 0 1 16 0"/>`);
