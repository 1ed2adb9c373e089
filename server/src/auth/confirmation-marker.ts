/**
 * After following the confirmation link the reader is sent back to the page they signed up on,
 * which by itself shows nothing new. This query parameter on that return address tells the widget
 * there to say what happened (signed in, or the address confirmed from another browser) and open
 * its account view; the widget then takes it out of the address bar. The widget's copy of the name
 * lives in widget/src/email-confirmation.ts (the widget imports no runtime code from the server).
 */
export const CONFIRMED_PARAMETER = 'docent_confirmed';

/** The confirmation link with the marker added to its return address (`callbackURL`). */
export function withConfirmedMarker(link: string): string {
  const url = new URL(link);
  const returnAddress = url.searchParams.get('callbackURL');
  if (returnAddress === null) return link;
  // Relative return addresses (better-auth's default is "/") stay relative.
  const placeholder = 'http://docent.invalid';
  const target = new URL(returnAddress, placeholder);
  target.searchParams.set(CONFIRMED_PARAMETER, '1');
  url.searchParams.set('callbackURL', target.origin === placeholder ? `${target.pathname}${target.search}${target.hash}` : target.href);
  return url.href;
}
