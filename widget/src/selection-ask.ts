import type { Selection } from '@docent/protocol';

const MAX_SELECTION = 8_000;
const MIN_SELECTION = 3;

/**
 * The floating "Ask Docent" button: appears next to text the reader selects inside the content
 * root, and hands the selection (with the section it sits in) to `onAsk`. It lives in its own
 * shadow root so page styles cannot restyle it. `placement: 'below'` keeps it clear of a site's
 * own selection tooltip, which usually sits above the selection.
 */
export function watchSelections(options: {
  contentRoot: string;
  label: string;
  placement?: 'above' | 'below' | undefined;
  onAsk: (selection: Selection) => void;
}): () => void {
  const host = document.createElement('docent-selection');
  const shadow = host.attachShadow({ mode: 'open' });
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = options.label;
  button.hidden = true;
  const style = document.createElement('style');
  style.textContent = `button{position:fixed;z-index:2147483001;font:600 13px system-ui,sans-serif;padding:6px 10px;border:none;border-radius:999px;
    background:var(--docent-accent,#1d4ed8);color:#fff;box-shadow:0 2px 10px rgb(0 0 0/.3);cursor:pointer}button:focus-visible{outline:3px solid #111;outline-offset:2px}`;
  shadow.append(style, button);
  document.body.append(host);

  let pending: Selection | undefined;
  const update = () => {
    const selection = window.getSelection();
    const text = selection?.toString().trim() ?? '';
    const range = selection && selection.rangeCount > 0 ? selection.getRangeAt(0) : undefined;
    const root = document.querySelector(options.contentRoot);
    if (!range || text.length < MIN_SELECTION || !root || !root.contains(range.commonAncestorContainer) || host.contains(range.commonAncestorContainer)) {
      button.hidden = true;
      pending = undefined;
      return;
    }
    pending = { text: text.slice(0, MAX_SELECTION), ...sectionOf(range.startContainer, root) };
    const rect = range.getBoundingClientRect();
    const top = options.placement === 'below' ? Math.min(window.innerHeight - 44, rect.bottom + 8) : Math.max(8, rect.top - 40);
    button.style.top = `${top}px`;
    button.style.left = `${Math.min(window.innerWidth - 140, Math.max(8, rect.left + rect.width / 2 - 50))}px`;
    button.hidden = false;
  };
  const onMouseUp = () => setTimeout(update, 0);
  const onKeyUp = (event: KeyboardEvent) => {
    if (event.shiftKey || event.key.startsWith('Arrow')) update();
  };
  // Pressing the button must not clear the selection before the click lands.
  button.addEventListener('mousedown', (event) => event.preventDefault());
  button.addEventListener('click', () => {
    if (!pending) return;
    options.onAsk(pending);
    button.hidden = true;
  });
  document.addEventListener('mouseup', onMouseUp);
  document.addEventListener('keyup', onKeyUp);
  return () => {
    document.removeEventListener('mouseup', onMouseUp);
    document.removeEventListener('keyup', onKeyUp);
    host.remove();
  };
}

/** The page URL at the nearest heading above the selection, so retrieval looks at that section. */
function sectionOf(node: Node, root: Element): { page_url: string; heading?: string } {
  const page = `${window.location.origin}${window.location.pathname}`;
  const headings = [...root.querySelectorAll('h1[id], h2[id], h3[id], h4[id], h5[id], h6[id]')];
  let nearest: Element | undefined;
  for (const heading of headings) {
    if (heading.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING || heading.contains(node)) nearest = heading;
    else break;
  }
  if (!nearest) return { page_url: page };
  const heading = (nearest.textContent ?? '').replace(/#\s*$/, '').trim();
  return { page_url: `${page}#${nearest.id}`, ...(heading ? { heading: heading.slice(0, 500) } : {}) };
}
