import { escapeHtml, page } from '../http/html.js';
import { POLICY_SENTENCES } from '../http/pages.js';
import { codeDeliverySentence } from '../http/token-pages.js';
import type { PasswordResetOutcome } from './password-reset-service.js';

/** Step 1 of "Forgot password?": the e-mail address. */
export function passwordResetEmailPage(message?: string): string {
  return page(
    'Reset your password',
    `<h1>Reset your password</h1>
${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/reset-password">
  <label for="email">Email address</label>
  <input id="email" name="email" type="email" autocomplete="username" required>
  <button type="submit">Next</button>
</form>
<p><a href="/">Back to sign in</a></p>`,
  );
}

function newPasswordForm(state: string, error = ''): string {
  return `<form method="post" action="/reset-password/password">
  <input type="hidden" name="state" value="${escapeHtml(state)}">
  <label for="newPassword">New password</label>
  <input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required>
  <label for="confirmPassword">Confirm new password</label>
  <input id="confirmPassword" name="confirmPassword" type="password" autocomplete="new-password" required>
  ${error}
  <button type="submit">Reset password</button>
</form>`;
}

/** Every outcome of the password reset as a page. */
export function passwordResetResultPage(outcome: PasswordResetOutcome, extra: { confirmMismatch?: boolean } = {}): string {
  switch (outcome.outcome) {
    case 'email-invalid':
    case 'user-not-found':
    case 'busy':
      return passwordResetEmailPage(outcome.message);
    case 'code-sent':
    case 'code-sent-by-provider': {
      const delivery = outcome.outcome === 'code-sent-by-provider'
        ? codeDeliverySentence({ sentBy: 'custom-provider' }, outcome.email, undefined)
        : codeDeliverySentence(outcome.sentBy === 'microsoft-fallback' ? { sentBy: 'microsoft-fallback', errorCode: outcome.fallbackErrorCode ?? 0, detail: '' } : { sentBy: 'microsoft' }, outcome.email, outcome.code);
      return page(
        'Verify your email',
        `<h1 id="result">Verify your email</h1>
${delivery}
<p class="note">The code is valid ${Math.round(outcome.expiresInSeconds / 60)} minutes, once.</p>
<form method="post" action="/reset-password/verify">
  <input type="hidden" name="verificationId" value="${escapeHtml(outcome.verificationId)}">
  <label for="code">Verification code</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
  <button type="submit">Next</button>
</form>`,
      );
    }
    case 'extension-error':
      return page(
        'Password reset failed',
        `<h1 class="error" id="result">Password reset failed</h1>
<p>${outcome.aadsts}: the custom authentication extension (OnOtpSend) failed and no verification code was sent. Sign-in log error code <strong id="error-code">${outcome.errorCode}</strong>: ${escapeHtml(outcome.detail)}.</p>
<p><a href="/reset-password">Start again</a></p>`,
      );
    case 'code-invalid':
      return page('Verify your email', `<h1 class="error" id="result">The code was not accepted</h1><p>${escapeHtml(outcome.message)}</p><p><a href="/reset-password">Start again</a></p>`);
    case 'new-password-required':
      return page('Choose a new password', `<h1 id="result">Choose a new password</h1><p class="note">${escapeHtml(outcome.email)}</p>${newPasswordForm(outcome.state, extra.confirmMismatch ? '<p class="error" role="alert">The passwords do not match.</p>' : '')}`);
    case 'password-rejected':
      return page(
        'Choose a new password',
        `<h1 id="result">Choose a new password</h1>${newPasswordForm(outcome.state, `<p class="error" role="alert">That password cannot be used. ${escapeHtml(POLICY_SENTENCES[outcome.reason])}</p>`)}`,
      );
    case 'state-invalid':
      return page('Expired', `<h1 class="error" id="result">This page has expired</h1><p>Start the password reset again.</p><p><a href="/reset-password">Reset your password</a></p>`);
    case 'password-reset':
      return page('Password reset', `<h1 class="ok" id="result">Your password has been reset</h1><p>Sign in as ${escapeHtml(outcome.email)} with your new password.</p><p><a href="/">Sign in</a></p>`);
  }
}
