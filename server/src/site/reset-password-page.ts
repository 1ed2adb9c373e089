import { escapeHtml } from './page-layout.js';

/** The page a password-reset email leads to: one field, no script (the form posts to Docent). */
export function resetPasswordPage(state: { token: string; error?: string } | { done: true } | { invalid: true }): string {
  let body: string;
  if ('done' in state) {
    body = '<h1>Password changed</h1><p role="status">Your new password is set, and you were signed out everywhere else. Go back to the course and sign in with it.</p>';
  } else if ('invalid' in state) {
    body = '<h1>This link does not work</h1><p role="alert">It may have expired (links work for one hour) or been used already. Ask for a new one with "Forgot password?" in the assistant.</p>';
  } else {
    body = `<h1>Choose a new password</h1>
${state.error ? `<p role="alert" id="reset-error">${escapeHtml(state.error)}</p>` : ''}
<form method="post" action="/account/reset-password">
  <input type="hidden" name="token" value="${escapeHtml(state.token)}">
  <label for="new-password">New password (8 to 128 characters)</label>
  <input id="new-password" name="newPassword" type="password" autocomplete="new-password" minlength="8" maxlength="128" required${state.error ? ' aria-describedby="reset-error"' : ''}>
  <button type="submit">Set new password</button>
</form>`;
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reset your password · Docent</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}label,input,button{display:block;width:100%;box-sizing:border-box}input{margin:.25rem 0 1rem;padding:.5rem;font:inherit}button{padding:.6rem;font:inherit;background:#2457c5;color:#fff;border:0;border-radius:.3rem}[role=alert]{color:#a4161a}@media (prefers-color-scheme:dark){body{background:#15181c;color:#e8eaed}[role=alert]{color:#ff8a8a}}</style>
</head><body><main>${body}</main></body></html>`;
}
