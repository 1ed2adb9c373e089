/**
 * The script-tag entry point:
 *   <script src="https://docent.example.com/widget/docent.js" data-server="https://docent.example.com" defer></script>
 * mounts a launcher button. Options (data attributes on the script tag): `data-server` (default:
 * the script's origin), `data-theme` (`light` | `dark`), `data-lang`, `data-content-root` (CSS
 * selector where selecting text offers "Ask Docent"; default `main, article, body`),
 * `data-position` (`bottom-right` | `bottom-left`), `data-offset-x` / `data-offset-y` (CSS lengths
 * from that corner), `data-z-index`, `data-launcher="hidden"` (open it from the page's own button
 * with `window.Docent.open()`), `data-selection-placement` (`above` | `below` the selected text).
 * The host page controls it through `window.Docent` and listens to `docent:*` events.
 */
import type { Selection } from '@docent/protocol';
import { DocentChat, type DocentContext } from './docent-chat.js';
import { watchSelections } from './selection-ask.js';
import { stringsFor } from './strings.js';

export { DocentChat, type DocentContext };

/** `window.Docent`: open or close the panel, ask a question, or attach context (a selection). */
export interface DocentApi {
  open(): void;
  close(): void;
  ask(text: string): Promise<void>;
  setContext(context: DocentContext): void;
  element: DocentChat;
}

declare global {
  interface Window {
    Docent?: DocentApi;
  }
  interface HTMLElementTagNameMap {
    'docent-chat': DocentChat;
  }
}

if (!customElements.get('docent-chat')) customElements.define('docent-chat', DocentChat);

function mount(script: HTMLScriptElement | null): DocentApi {
  const existing = document.querySelector('docent-chat');
  const element = existing ?? document.createElement('docent-chat');
  const scriptOrigin = script?.src ? new URL(script.src, window.location.href).origin : window.location.origin;
  const server = script?.dataset.server;
  element.server = server === undefined || server === '' ? scriptOrigin : server;
  if (script?.dataset.theme === 'light' || script?.dataset.theme === 'dark') element.theme = script.dataset.theme;
  if (script?.dataset.lang) element.setAttribute('lang', script.dataset.lang);
  placeLauncher(element, script?.dataset ?? {});
  if (!existing) document.body.append(element);
  watchSelections({
    contentRoot: script?.dataset.contentRoot ?? 'main, article, body',
    placement: script?.dataset.selectionPlacement === 'below' ? 'below' : 'above',
    label: stringsFor(element.getAttribute('lang') ?? document.documentElement.lang).askAboutSelection,
    onAsk: (selection: Selection) => {
      element.setContext({ selection });
      element.show();
    },
  });
  return { open: () => element.show(), close: () => element.hide(), ask: (text) => element.ask(text), setContext: (context) => element.setContext(context), element };
}

/** Corner, distance, stacking and whether a launcher shows, from the script tag's attributes. */
function placeLauncher(element: DocentChat, options: DOMStringMap): void {
  if (options.position === 'bottom-right' || options.position === 'bottom-left') element.position = options.position;
  if (options.launcher === 'hidden') element.hideLauncher = true;
  const lengths: [string | undefined, string][] = [
    [options.offsetX, '--docent-offset-x'],
    [options.offsetY, '--docent-offset-y'],
  ];
  for (const [value, property] of lengths) {
    // A bare number means pixels; anything else must be a CSS length the browser accepts.
    const length = value !== undefined && /^\d+(\.\d+)?$/.test(value) ? `${value}px` : value;
    if (length !== undefined && CSS.supports('right', length)) element.style.setProperty(property, length);
  }
  if (options.zIndex !== undefined && /^-?\d+$/.test(options.zIndex)) element.style.setProperty('--docent-z-index', options.zIndex);
}

/**
 * Whether a Docent script tag already mounted the widget (the tag can appear twice). Not
 * `window.Docent`: an element with `id="Docent"` on the page (a `## Docent {#Docent}` heading) is
 * also `window.Docent`, and the widget would never start.
 */
const MOUNTED = Symbol.for('docent.widget.mounted');
const registry = globalThis as typeof globalThis & { [MOUNTED]?: true };

// A module script (the ESM build) has no currentScript: the host page mounts it by adding <docent-chat>.
const currentScript = document.currentScript as HTMLScriptElement | null;
if (currentScript && registry[MOUNTED] !== true) {
  registry[MOUNTED] = true;
  const start = () => (window.Docent = mount(currentScript));
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
}
