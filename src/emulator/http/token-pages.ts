import type { OtpDelivery } from '../events/otp-send.js';
import type { TokenFailureOutcome } from '../sign-in.js';
import { escapeHtml } from './html.js';

/**
 * The id token's claims as the page after sign-in shows them: one row per claim, in the token's order, every name
 * and value escaped. Nothing when the outcome carries no claims.
 */
export function tokenClaimsSection(claims: Record<string, unknown> | undefined): string {
  if (!claims) return '';
  const rows = Object.entries(claims)
    .map(([name, value]) => `<tr><th scope="row"><code>${escapeHtml(name)}</code></th><td id="claim-${escapeHtml(name)}">${escapeHtml(typeof value === 'string' ? value : JSON.stringify(value))}</td></tr>`)
    .join('\n');
  return `<h2 style="font-size:1.1rem">The id token's claims</h2>
<table id="id-token-claims" style="width:100%;font-size:.85rem;word-break:break-all;text-align:left">
${rows}
</table>`;
}

/** Why the token was not issued: the custom claims provider failed (AADSTS1100001 and its sign-in log code), or AADSTS50146. */
export function tokenFailureBody(outcome: TokenFailureOutcome, back: string): string {
  if (outcome.outcome === 'token-refused') {
    return `<h1 class="error" id="result">Sign-in failed</h1>
<p><strong id="aadsts">${outcome.aadsts}</strong>: ${escapeHtml(outcome.message)}</p>
<p class="note">A claims mapping policy is assigned to the application's service principal; set <code>api.acceptMappedClaims</code> to true on its app registration (or give it a signing key of its own).</p>
<p><a href="${escapeHtml(back)}">Back</a></p>`;
  }
  return `<h1 class="error" id="result">Sign-in failed</h1>
<p><strong id="aadsts">${outcome.aadsts}</strong>: the custom claims provider (OnTokenIssuanceStart) failed; no token was issued. Sign-in log error code <strong id="error-code">${outcome.errorCode}</strong>: ${escapeHtml(outcome.detail)}.</p>
<p><a href="${escapeHtml(back)}">Back</a></p>`;
}

/**
 * Where a one-time code went, as the code page says it: the organisation's provider (the emulator keeps no copy to
 * show), or Microsoft — the emulator itself, which shows the code since it sends no mail — directly or as the
 * fallback after the extension failed.
 */
export function codeDeliverySentence(delivery: Exclude<OtpDelivery, { sentBy: 'nobody' }>, email: string, code: string | undefined): string {
  const shown = code === undefined ? '' : ` The emulator sends no e-mail; the code is <strong id="one-time-code">${escapeHtml(code)}</strong>`;
  switch (delivery.sentBy) {
    case 'custom-provider':
      return `<p id="code-delivery" data-sent-by="custom-provider">Enter the code sent to ${escapeHtml(email)} by your organisation's e-mail provider (the OnOtpSend custom extension accepted it).</p>`;
    case 'microsoft-fallback':
      return `<p id="code-delivery" data-sent-by="microsoft-fallback">Enter the code sent to ${escapeHtml(email)} by Microsoft (fallback): the OnOtpSend custom extension failed with sign-in log error code ${delivery.errorCode}.${shown}</p>`;
    case 'microsoft':
      return `<p id="code-delivery" data-sent-by="microsoft">Enter the code sent to ${escapeHtml(email)}.${shown}</p>`;
  }
}
