import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';

/**
 * The statuses both modes read alike, as the error to reject with; undefined for the others.
 * - 3xx: redirects are not followed (a password is never re-sent to an address the answer names), so a redirect
 *   means LEGACY_VERIFY_URL is not the final address (RFC 9110 §15.4, https://www.rfc-editor.org/rfc/rfc9110#section-15.4).
 * - 429 Too Many Requests: the service sheds load (RFC 6585 §4, https://www.rfc-editor.org/rfc/rfc6585#section-4).
 * - 5xx: the service failed or is down (RFC 9110 §15.6, https://www.rfc-editor.org/rfc/rfc9110#section-15.6).
 *
 * @example
 *   failureOfStatus(503)?.code // 'LEGACY_STORE_UNAVAILABLE'
 */
export function failureOfStatus(statusCode: number): LegacyStoreError | undefined {
  if (statusCode >= 300 && statusCode < 400) {
    return new LegacyStoreError(
      LegacyStoreErrorCode.ANSWER_INVALID,
      `The legacy web service answered a redirect (${statusCode}), which is not followed: set LEGACY_VERIFY_URL to the address that answers.`,
    );
  }
  if (statusCode === 429) {
    return new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, 'The legacy web service is throttling us (429).');
  }
  if (statusCode >= 500) {
    return new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `The legacy web service failed (${statusCode}).`);
  }
  return undefined;
}

/**
 * A 401, 403 or 404 that carries no verdict: the service (or a gateway before it) refused *us* — 401 Unauthorized
 * and 403 Forbidden our credentials (RFC 9110 §15.5.2, §15.5.4, https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2),
 * 404 Not Found the address (§15.5.5).
 */
export function refusedUs(statusCode: number): LegacyStoreError {
  const fix = statusCode === 404 ? 'check LEGACY_VERIFY_URL (and LEGACY_VERIFY_AUTH)' : 'check LEGACY_VERIFY_AUTH and LEGACY_VERIFY_URL';
  const what = statusCode === 404 ? 'the address was not found' : 'it refused our credentials';
  return new LegacyStoreError(LegacyStoreErrorCode.MISCONFIGURED, `The legacy web service answered ${statusCode} without a verdict, so ${what}: ${fix}.`);
}

/** A status the contract gives no meaning to (400, 405, 415, a 201 in JSON mode): the request or the URL is wrong. */
export function unexpectedStatus(statusCode: number): LegacyStoreError {
  return new LegacyStoreError(
    LegacyStoreErrorCode.ANSWER_INVALID,
    `The legacy web service answered ${statusCode}, which the contract gives no meaning to: check LEGACY_VERIFY_URL and LEGACY_VERIFY_MODE.`,
  );
}
