import type { ChangePasswordOutcome, SignInOutcome } from '../sign-in.js';
import { escapeHtml, page } from './html.js';

const LOCALES = ['en-us', 'fr-fr', 'de-de', 'es-es'];

export function signInPage(options: { tenantDomain: string; message?: string; username?: string }): string {
  const locales = LOCALES.map((locale) => `<option value="${locale}">${locale}</option>`).join('');
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p class="note">${escapeHtml(options.tenantDomain)}</p>
${options.message ? `<p class="error" role="alert">${escapeHtml(options.message)}</p>` : ''}
<form method="post" action="/signin">
  <label for="username">Email address</label>
  <input id="username" name="username" type="email" autocomplete="username" required value="${escapeHtml(options.username ?? '')}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <label for="locale">Language (sent to the extension as client.locale)</label>
  <select id="locale" name="locale">${locales}</select>
  <button type="submit">Sign in</button>
</form>`,
  );
}

export function signInResultPage(outcome: SignInOutcome, username: string, tenantDomain: string): string {
  switch (outcome.outcome) {
    case 'signed-in':
      return page(
        'Signed in',
        `<h1 class="ok" id="result">Signed in</h1>
<p>${escapeHtml(username)} is signed in.${outcome.migrated ? ' The legacy password was migrated: the extension answered <code>MigratePassword</code>, the password is now stored in the tenant and the user is no longer flagged.' : ' The password matched the one stored in the tenant; the extension was not called.'}</p>
<p><a href="/">Sign in again</a></p>`,
      );
    case 'password-change-required':
      return page(
        'Update your password',
        `<h1 id="result">Update your password</h1>
<p>Your password is correct but does not meet the password policy of this tenant (the extension answered <code>UpdatePassword</code>). Choose a new one: 8–256 characters with three of lowercase, uppercase, digits and symbols.</p>
<form method="post" action="/change-password">
  <input type="hidden" name="state" value="${escapeHtml(outcome.state)}">
  <label for="newPassword">New password</label>
  <input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required>
  <button type="submit">Update</button>
</form>`,
      );
    case 'invalid-credentials':
      return signInPage({ tenantDomain, message: outcome.message, username });
    case 'blocked':
      return page('Blocked', `<h1 class="error" id="result">${escapeHtml(outcome.title)}</h1><p>${escapeHtml(outcome.message)}</p><p><a href="/">Back</a></p>`);
    case 'extension-error':
      return page(
        'Sign-in failed',
        `<h1 class="error" id="result">Sign-in failed</h1>
<p>${outcome.aadsts}: the custom authentication extension failed. Sign-in log error code <strong>${outcome.errorCode}</strong>: ${escapeHtml(outcome.detail)}.</p>
<p><a href="/">Back</a></p>`,
      );
  }
}

export function changePasswordResultPage(outcome: ChangePasswordOutcome): string {
  switch (outcome.outcome) {
    case 'signed-in':
      return page('Signed in', '<h1 class="ok" id="result">Signed in</h1><p>Your new password is set and your account is migrated.</p><p><a href="/">Sign in again</a></p>');
    case 'state-invalid':
      return page('Expired', '<h1 class="error" id="result">This page has expired</h1><p><a href="/">Sign in again</a></p>');
    case 'password-rejected':
      return page('Update your password', `<h1 class="error" id="result">That password cannot be used</h1><p>It does not meet the password policy (${escapeHtml(outcome.reason)}).</p><p><a href="/">Start again</a></p>`);
  }
}
