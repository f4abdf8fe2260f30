import type { PasswordPolicyViolation } from '../../jit/index.js';
import type { ChangePasswordOutcome, SignInOutcome } from '../sign-in.js';
import { escapeHtml, page } from './html.js';
import { tokenClaimsSection, tokenFailureBody } from './token-pages.js';

const LOCALES = ['en-us', 'fr-fr', 'de-de', 'es-es'];

/** What a person reads when a new password is refused: the policy in a sentence, never its internal code. */
export const POLICY_SENTENCES: Record<PasswordPolicyViolation, string> = {
  'too-short': 'It is too short: use at least 8 characters.',
  'too-long': 'It is too long: use at most 256 characters.',
  'character-not-allowed': 'It holds a character that is not allowed: use letters A–Z and a–z, digits, spaces and common symbols.',
  'too-few-character-classes': 'It needs three of these four: lowercase letters, uppercase letters, digits and symbols.',
};

/** A locale tag as a page may carry it (`?locale=fr-fr`, a form field), or undefined for anything else. */
export function pageLocale(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 35 && /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(value) ? value : undefined;
}

/** The sign-in page's address for a locale: every "Back" and "Sign in again" link keeps the locale chosen. */
const home = (locale: string | undefined) => (locale ? `/?locale=${encodeURIComponent(locale)}` : '/');

export function signInPage(options: { tenantDomain: string; message?: string; username?: string; locale?: string }): string {
  const chosen = options.locale?.toLowerCase();
  const choices = chosen && !LOCALES.includes(chosen) ? [...LOCALES, chosen] : LOCALES;
  const locales = choices.map((locale) => `<option value="${escapeHtml(locale)}"${locale === chosen ? ' selected' : ''}>${escapeHtml(locale)}</option>`).join('');
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
</form>
<p><a href="/reset-password" id="forgot-password">Forgot password?</a> · <a href="/signup" id="sign-up">No account? Create one</a></p>`,
  );
}

export function signInResultPage(outcome: SignInOutcome, context: { username: string; tenantDomain: string; locale?: string }): string {
  const back = escapeHtml(home(context.locale));
  switch (outcome.outcome) {
    case 'signed-in':
      return page(
        'Signed in',
        `<h1 class="ok" id="result">Signed in</h1>
<p>${escapeHtml(context.username)} is signed in.${outcome.migrated ? ' The legacy password was migrated: the extension answered <code>MigratePassword</code>, the password is now stored in the tenant and the user is no longer flagged.' : ' The password matched the one stored in the tenant; the extension was not called.'}</p>
${tokenClaimsSection(outcome.claims)}
<p><a href="${back}">Sign in again</a></p>`,
      );
    case 'password-change-required':
      return page(
        'Update your password',
        `<h1 id="result">Update your password</h1>
<p>Your password is correct but does not meet the password policy of this tenant (the extension answered <code>UpdatePassword</code>). Choose a new one: 8–256 characters with three of lowercase, uppercase, digits and symbols.</p>
<form method="post" action="/change-password">
  <input type="hidden" name="state" value="${escapeHtml(outcome.state)}">
  ${context.locale ? `<input type="hidden" name="locale" value="${escapeHtml(context.locale)}">` : ''}
  <label for="newPassword">New password</label>
  <input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required>
  <button type="submit">Update</button>
</form>`,
      );
    case 'invalid-credentials':
      return signInPage({ tenantDomain: context.tenantDomain, message: outcome.message, username: context.username, ...(context.locale && { locale: context.locale }) });
    case 'blocked':
      return page('Blocked', `<h1 class="error" id="result">${escapeHtml(outcome.title)}</h1><p>${escapeHtml(outcome.message)}</p><p><a href="${back}">Back</a></p>`);
    case 'token-refused':
      return page('Sign-in failed', tokenFailureBody(outcome, home(context.locale)));
    case 'extension-error':
      if ('event' in outcome) return page('Sign-in failed', tokenFailureBody(outcome, home(context.locale)));
      return page(
        'Sign-in failed',
        `<h1 class="error" id="result">Sign-in failed</h1>
<p>${outcome.aadsts}: the custom authentication extension failed. Sign-in log error code <strong>${outcome.errorCode}</strong>: ${escapeHtml(outcome.detail)}.</p>
<p><a href="${back}">Back</a></p>`,
      );
  }
}

export function changePasswordResultPage(outcome: ChangePasswordOutcome, locale?: string): string {
  const back = escapeHtml(home(locale));
  switch (outcome.outcome) {
    case 'signed-in':
      return page('Signed in', `<h1 class="ok" id="result">Signed in</h1><p>Your new password is set and your account is migrated.</p>${tokenClaimsSection(outcome.claims)}<p><a href="${back}">Sign in again</a></p>`);
    case 'token-refused':
    case 'extension-error':
      return page('Sign-in failed', tokenFailureBody(outcome, home(locale)));
    case 'state-invalid':
      return page('Expired', `<h1 class="error" id="result">This page has expired</h1><p>Sign in again to choose a new password.</p><p><a href="${back}">Sign in again</a></p>`);
    case 'password-rejected':
      return page(
        'Update your password',
        `<h1 class="error" id="result">That password cannot be used</h1><p>It does not meet the password policy. ${escapeHtml(POLICY_SENTENCES[outcome.reason])}</p><p><a href="${back}">Start again</a></p>`,
      );
  }
}

/** An address under the pages that does not exist: an HTML page people can read, with the way back. */
export function notFoundPage(locale?: string): string {
  return page('Page not found', `<h1 class="error" id="result">Page not found</h1><p>There is no page at this address.</p><p><a href="${escapeHtml(home(locale))}">Go to the sign-in page</a></p>`);
}

/** A request to the pages that was refused (too large, malformed), as HTML rather than JSON. */
export function refusedPage(message: string, locale?: string): string {
  return page('Request refused', `<h1 class="error" id="result">Request refused</h1><p>${escapeHtml(message)}</p><p><a href="${escapeHtml(home(locale))}">Go to the sign-in page</a></p>`);
}
