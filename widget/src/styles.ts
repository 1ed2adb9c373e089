import { css } from 'lit';

/**
 * Theming through custom properties set on `docent-chat` by the host page: --docent-accent,
 * --docent-font, --docent-radius. Logical properties (inline-start/end) so right-to-left pages
 * mirror the layout. Colours meet WCAG AA on both themes.
 */
/** The dark theme's colours: by `theme`, else by the host page's `data-theme`, else by the system setting. */
const darkPalette = css`
    --accent: var(--docent-accent, #93c5fd);
    --on-accent: #0b1220;
    --bg: #111827;
    --fg: #f3f4f6;
    --muted: #d1d5db;
    --border: #374151;
    --bubble: #1f2937;
    --danger: #fca5a5;
    --code-bg: #0b1220;
    --code-fg: #e5e7eb;
    --code-border: #374151;
    --tok-comment: #9ca3af;
    --tok-string: #a5d6ff;
    --tok-keyword: #ff7b72;
    --tok-number: #79c0ff;
    --tok-name: #ffa657;
    color-scheme: dark;
`;

export const widgetStyles = css`
  :host {
    --accent: var(--docent-accent, #1d4ed8);
    --on-accent: #ffffff;
    --font: var(--docent-font, system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Nastaliq Urdu', sans-serif);
    --radius: var(--docent-radius, 12px);
    --bg: #ffffff;
    --fg: #1f2937;
    --muted: #4b5563;
    --border: #d1d5db;
    --bubble: #f3f4f6;
    --danger: #b91c1c;
    /* Code and its syntax colours (each at least 4.5:1 on --code-bg). */
    --code-bg: #f6f8fa;
    --code-fg: #1f2328;
    --code-border: #d0d7de;
    --tok-comment: #57606a;
    --tok-string: #0a3069;
    --tok-keyword: #cf222e;
    --tok-number: #0550ae;
    --tok-name: #953800;
    color-scheme: light;
    position: fixed;
    inset-block-end: var(--docent-offset-y, 20px);
    inset-inline-end: var(--docent-offset-x, 20px);
    z-index: var(--docent-z-index, 2147483000);
    font-family: var(--font);
    font-size: 15px;
    line-height: 1.5;
    color: var(--fg);
  }
  /* Physical corners on request; the later declaration wins over the logical default. */
  :host([position='bottom-right']) { inset-inline-end: auto; right: var(--docent-offset-x, 20px); }
  :host([position='bottom-left']) { inset-inline-end: auto; left: var(--docent-offset-x, 20px); }
  :host([theme='dark']), :host(:not([theme])[host-theme='dark']) {
    ${darkPalette}
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light']):not([host-theme='light'])) {
      ${darkPalette}
    }
  }
  * { box-sizing: border-box; }
  button { font: inherit; cursor: pointer; }
  :focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  .launcher {
    background: var(--accent); color: var(--on-accent); border: none; border-radius: 999px;
    padding: 12px 18px; font-weight: 600; box-shadow: 0 4px 14px rgb(0 0 0 / 0.25);
  }
  .panel {
    display: flex; flex-direction: column; width: min(420px, calc(100vw - 40px)); height: min(640px, calc(100vh - 40px));
    background: var(--bg); color: var(--fg); border: 1px solid var(--border); border-radius: var(--radius);
    box-shadow: 0 12px 40px rgb(0 0 0 / 0.3); overflow: hidden;
  }
  @media (max-width: 640px) {
    :host([open]) { inset: 0; }
    :host([open]) .panel { width: 100vw; height: 100vh; height: 100dvh; border-radius: 0; border: none; }
  }
  header { display: flex; align-items: center; gap: 4px; padding: 10px 12px; border-block-end: 1px solid var(--border); }
  header h2 { flex: 1; margin: 0; font-size: 16px; }
  .icon { display: inline-flex; background: none; border: 1px solid transparent; color: var(--fg); border-radius: 8px; padding: 6px; }
  .icon[aria-pressed='true'] { border-color: var(--accent); }
  .icon:hover { border-color: var(--border); }
  .log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 12px; }
  .empty { color: var(--muted); }
  .empty p { margin: 0 0 10px; }
  .suggestions { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
  .suggestions button { width: 100%; text-align: start; background: var(--bubble); color: var(--fg); border: 1px solid var(--border); border-radius: var(--radius); padding: 8px 12px; }
  .suggestions button:hover { border-color: var(--accent); }
  .toast { margin: 10px 12px 0; padding: 8px 12px; border-radius: 8px; background: var(--bubble); border-inline-start: 4px solid var(--accent); }
  .message { max-width: 92%; }
  .user { align-self: flex-end; background: var(--accent); color: var(--on-accent); border-radius: var(--radius); padding: 8px 12px; white-space: pre-wrap; }
  .assistant { align-self: flex-start; background: var(--bubble); border-radius: var(--radius); padding: 8px 12px; }
  .assistant p { margin: 0 0 8px; }
  .assistant p:last-child { margin-block-end: 0; }
  .assistant a { color: inherit; }
  .quote, blockquote { border-inline-start: 3px solid var(--accent); margin: 0 0 6px; padding-inline-start: 8px; color: inherit; opacity: 0.9; }
  .assistant a.citation, .citation {
    display: inline-block; min-width: 1.5em; padding: 0 5px; margin: 0 1px; border-radius: 999px; font-size: 12px; line-height: 1.5;
    text-align: center; text-decoration: none; background: var(--accent); color: var(--on-accent); vertical-align: 1px;
  }
  .code { margin: 0 0 8px; border: 1px solid var(--code-border); border-radius: 8px; overflow: hidden; background: var(--code-bg); color: var(--code-fg); }
  .code-bar { display: flex; align-items: center; justify-content: space-between; padding: 3px 6px 3px 10px; border-block-end: 1px solid var(--code-border); font-size: 12px; color: var(--tok-comment); }
  pre { margin: 0; overflow-x: auto; padding: 10px; font-size: 13px; direction: ltr; text-align: left; }
  code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
  .copy { font-size: 12px; border-radius: 6px; border: 1px solid var(--code-border); background: var(--code-bg); color: var(--code-fg); padding: 2px 8px; }
  .tok-comment { color: var(--tok-comment); font-style: italic; }
  .tok-string { color: var(--tok-string); }
  .tok-keyword { color: var(--tok-keyword); }
  .tok-number { color: var(--tok-number); }
  .tok-name { color: var(--tok-name); }
  .sources { margin-block-start: 8px; font-size: 13px; }
  .sources ol { margin: 4px 0 0; padding-inline-start: 20px; }
  .sources a { color: inherit; }
  .notice { font-size: 13px; color: var(--muted); margin: 0 0 6px; }
  .error { color: var(--danger); }
  .actions { display: flex; gap: 6px; margin-block-start: 6px; align-items: center; font-size: 13px; }
  .actions button { display: inline-flex; background: none; border: 1px solid var(--border); color: var(--fg); border-radius: 999px; padding: 3px 10px; }
  .actions button[aria-pressed='true'] { background: var(--accent); color: var(--on-accent); border-color: var(--accent); }
  form { display: flex; flex-direction: column; gap: 6px; padding: 10px 12px; border-block-start: 1px solid var(--border); }
  .chip { display: flex; gap: 6px; align-items: flex-start; background: var(--bubble); border-radius: 8px; padding: 4px 8px; font-size: 13px; }
  .chip span { flex: 1; overflow: hidden; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; }
  .row { display: flex; gap: 6px; }
  textarea {
    flex: 1; resize: none; font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--border);
    border-radius: 8px; padding: 8px; min-height: 42px; max-height: 140px;
  }
  .send { background: var(--accent); color: var(--on-accent); border: none; border-radius: 8px; padding: 0 14px; font-weight: 600; }
  .history { list-style: none; margin: 0; padding: 0; }
  .history button { width: 100%; text-align: start; background: none; border: none; border-block-end: 1px solid var(--border); color: var(--fg); padding: 10px 4px; }
  .initial {
    display: inline-grid; place-items: center; width: 18px; height: 18px; border-radius: 50%;
    background: var(--accent); color: var(--on-accent); font-size: 12px; font-weight: 700; line-height: 1;
  }
  .account h3 { margin: 0; font-size: 16px; }
  .account p { margin: 0; overflow-wrap: anywhere; }
  .account form { padding: 0; border: none; gap: 10px; }
  .account label { display: flex; flex-direction: column; gap: 4px; font-size: 14px; font-weight: 600; }
  .account input, .account select, .account textarea {
    width: 100%; font: inherit; font-weight: 400; color: var(--fg); background: var(--bg);
    border: 1px solid var(--muted); border-radius: 8px; padding: 7px 8px; min-height: 0;
  }
  .account [aria-invalid='true'] { border: 2px solid var(--danger); }
  .account small { color: var(--muted); font-size: 13px; margin-block-start: -6px; }
  .account details label { margin-block-start: 8px; }
  .account summary { cursor: pointer; }
  [role='tablist'] { display: flex; gap: 4px; border-block-end: 1px solid var(--border); }
  [role='tab'] { background: none; border: none; border-block-end: 3px solid transparent; color: var(--fg); padding: 6px 10px; }
  [role='tab'][aria-selected='true'] { border-block-end-color: var(--accent); font-weight: 600; }
  .primary { background: var(--accent); color: var(--on-accent); border: none; border-radius: 8px; padding: 9px 14px; font-weight: 600; }
  [aria-disabled='true'] { opacity: 0.7; cursor: progress; }
  .link { align-self: flex-start; background: none; border: none; padding: 0; color: var(--accent); text-decoration: underline; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
