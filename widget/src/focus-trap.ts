const FOCUSABLE = 'button, a[href], input, select, textarea, summary, [tabindex="0"]';

/**
 * Keeps Tab inside `root` (the open panel is a modal dialog): from the last control Tab wraps to
 * the first, and Shift+Tab from the first to the last. Disabled, `tabindex=-1` and hidden controls
 * (inside a closed <details>) are skipped, as the browser skips them.
 */
export function keepTabInside(event: KeyboardEvent, root: ShadowRoot): void {
  if (event.key !== 'Tab') return;
  const focusable = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => !element.hasAttribute('disabled') && element.tabIndex >= 0 && element.checkVisibility());
  const first = focusable[0];
  const last = focusable.at(-1);
  if (event.shiftKey && root.activeElement === first) {
    event.preventDefault();
    last?.focus();
  } else if (!event.shiftKey && root.activeElement === last) {
    event.preventDefault();
    first?.focus();
  }
}
