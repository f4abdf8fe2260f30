import { escapeHtml, page } from '../http/html.js';
import { POLICY_SENTENCES } from '../http/pages.js';
import { codeDeliverySentence, tokenClaimsSection, tokenFailureBody } from '../http/token-pages.js';
import type { PageAttribute, SignUpOutcome } from './sign-up-service.js';

/** Form fields of the attribute page are named `a.<attribute name>`, beside `state`, `password` and `confirmPassword`. */
export const ATTRIBUTE_FIELD_PREFIX = 'a.';

const back = '<p><a href="/">Go to the sign-in page</a></p>';
const EXTENSION_NAMES = { start: 'OnAttributeCollectionStart', submit: 'OnAttributeCollectionSubmit', 'otp-send': 'OnOtpSend' } as const;

/** Step 1: the e-mail address. */
export function signUpEmailPage(message?: string, email = ''): string {
  return page(
    'Sign up',
    `<h1>Create account</h1>
${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/signup">
  <label for="email">Email address</label>
  <input id="email" name="email" type="email" autocomplete="email" required value="${escapeHtml(email)}">
  <button type="submit">Next</button>
</form>
<p><a href="/">Already have an account? Sign in</a></p>`,
  );
}

function field(attribute: PageAttribute): string {
  const name = escapeHtml(`${ATTRIBUTE_FIELD_PREFIX}${attribute.name}`);
  const id = escapeHtml(`attribute-${attribute.name}`);
  const value = attribute.value === null ? '' : String(attribute.value);
  if (attribute.hidden) return `<input type="hidden" id="${id}" name="${name}" value="${escapeHtml(value)}">`;
  const error = attribute.error ? `<p class="error" id="${id}-error" role="alert">${escapeHtml(attribute.error)}</p>` : '';
  if (attribute.dataType === 'boolean') {
    return `<label><input type="checkbox" id="${id}" name="${name}" value="true"${attribute.value === true ? ' checked' : ''} style="width:auto"> ${escapeHtml(attribute.label)}</label>${error}`;
  }
  const type = attribute.dataType === 'int64' ? 'number' : 'text';
  return `<label for="${id}">${escapeHtml(attribute.label)}</label>
  <input id="${id}" name="${name}" type="${type}" value="${escapeHtml(value)}"${attribute.error ? ` aria-invalid="true" aria-describedby="${id}-error"` : ''}>${error}`;
}

/** Every outcome of the sign-up as a page. */
export function signUpResultPage(outcome: SignUpOutcome, extra: { confirmMismatch?: boolean } = {}): string {
  switch (outcome.outcome) {
    case 'email-invalid':
    case 'user-exists':
      return signUpEmailPage(outcome.message);
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
<form method="post" action="/signup/verify">
  <input type="hidden" name="verificationId" value="${escapeHtml(outcome.verificationId)}">
  <label for="code">Verification code</label>
  <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required>
  <button type="submit">Next</button>
</form>`,
      );
    }
    case 'code-invalid':
      return page('Verify your email', `<h1 class="error" id="result">The code was not accepted</h1><p>${escapeHtml(outcome.message)}</p><p><a href="/signup">Start again</a></p>`);
    case 'attributes-required': {
      const passwordError = extra.confirmMismatch
        ? '<p class="error" id="password-error" role="alert">The passwords do not match.</p>'
        : outcome.passwordError
          ? `<p class="error" id="password-error" role="alert">That password cannot be used. ${escapeHtml(POLICY_SENTENCES[outcome.passwordError])}</p>`
          : '';
      return page(
        'Create account',
        `<h1 id="result">Create account</h1>
${outcome.message ? `<p class="error" id="validation-message" role="alert">${escapeHtml(outcome.message)}</p>` : ''}
<form method="post" action="/signup/submit">
  <input type="hidden" name="state" value="${escapeHtml(outcome.state)}">
  <input type="hidden" name="email" value="${escapeHtml(outcome.email)}" readonly>
  <p class="note">${escapeHtml(outcome.email)}</p>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required>
  <label for="confirmPassword">Confirm password</label>
  <input id="confirmPassword" name="confirmPassword" type="password" autocomplete="new-password" required>
  ${passwordError}
  ${outcome.attributes.map(field).join('\n  ')}
  <button type="submit">Create</button>
</form>`,
      );
    }
    case 'blocked':
      return page('Sign-up blocked', `<h1 class="error" id="result">You can't sign up</h1><p id="block-message">${escapeHtml(outcome.message)}</p>${back}`);
    case 'state-invalid':
      return page('Expired', `<h1 class="error" id="result">This page has expired</h1><p>Start the sign-up again.</p><p><a href="/signup">Sign up</a></p>`);
    case 'token-refused':
      return page('Sign-in failed', `<p class="note" id="account-created">Your account was created; signing in to the application failed.</p>${tokenFailureBody(outcome, '/')}`);
    case 'extension-error':
      if (outcome.event === 'token-issuance-start') return page('Sign-in failed', `<p class="note" id="account-created">Your account was created; signing in to the application failed.</p>${tokenFailureBody(outcome, '/')}`);
      return page(
        'Sign-up failed',
        `<h1 class="error" id="result">Sign-up failed</h1>
<p>${outcome.aadsts}: the custom authentication extension (${EXTENSION_NAMES[outcome.event]}) failed${outcome.event === 'otp-send' ? ' and no verification code was sent' : ''}. Sign-in log error code <strong>${outcome.errorCode}</strong>: ${escapeHtml(outcome.detail)}.</p>${back}`,
      );
    case 'signed-up':
      return page('Signed up', `<h1 class="ok" id="result">Account created</h1><p>${escapeHtml(outcome.email)} is signed up and signed in.</p>${tokenClaimsSection(outcome.claims)}<p><a href="/">Sign in again</a></p>`);
  }
}
