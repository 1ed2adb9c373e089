/**
 * The return from an email confirmation link. Docent marks the address the link sends the reader
 * back to with this query parameter (server/src/auth/confirmation-marker.ts, whose name this copies:
 * the widget imports no runtime code from the server), and better-auth adds `error=` when the link
 * had expired or was not valid.
 */
const CONFIRMED_PARAMETER = 'docent_confirmed';

export type ConfirmationReturn = 'confirmed' | 'failed';

/**
 * Whether this page load is the return from a confirmation link, and how it went. Takes the marker
 * (and better-auth's error) out of the address bar, so a reload, a bookmark or a shared address
 * does not say it again.
 */
export function takeConfirmationReturn(): ConfirmationReturn | undefined {
  const url = new URL(window.location.href);
  if (!url.searchParams.has(CONFIRMED_PARAMETER)) return undefined;
  const failed = url.searchParams.has('error');
  url.searchParams.delete(CONFIRMED_PARAMETER);
  url.searchParams.delete('error');
  history.replaceState(history.state, '', url.href);
  return failed ? 'failed' : 'confirmed';
}
