import type { Dispatcher } from 'undici';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import type { CallBounds } from './call-bounds.js';
import { exchange } from './exchange.js';

/**
 * `/readyz` with LEGACY_VERIFY_HEALTH_URL: a GET that must answer 2xx. Our credentials go with it only when it is on
 * LEGACY_VERIFY_URL's origin (`headers` says so), so a health check elsewhere never receives them.
 * - 401, 403: the service refused us (RFC 9110 §15.5.2, §15.5.4, https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2);
 * - 404: the address is wrong (§15.5.5); a redirect is not followed (§15.4);
 * - anything else that is not 2xx: the service is not ready.
 *
 * @example
 *   await checkHealthUrl(agent, healthUrl, { 'user-agent': 'entra-migrate' }, bounds, 65536);
 */
export async function checkHealthUrl(
  dispatcher: Dispatcher,
  healthUrl: URL,
  headers: Record<string, string>,
  bounds: CallBounds,
  maxBytes: number,
): Promise<void> {
  const answer = await exchange(dispatcher, healthUrl, { method: 'GET', headers }, bounds, maxBytes);
  answer.discard();
  const { statusCode } = answer;
  if (statusCode >= 200 && statusCode < 300) return;
  if (statusCode === 401 || statusCode === 403) {
    throw new LegacyStoreError(LegacyStoreErrorCode.MISCONFIGURED, `The legacy web service's health check answered ${statusCode}: check LEGACY_VERIFY_AUTH and LEGACY_VERIFY_HEALTH_URL.`);
  }
  if (statusCode === 404) {
    throw new LegacyStoreError(LegacyStoreErrorCode.MISCONFIGURED, "The legacy web service's health check answered 404: check LEGACY_VERIFY_HEALTH_URL.");
  }
  if (statusCode >= 300 && statusCode < 400) {
    throw new LegacyStoreError(
      LegacyStoreErrorCode.ANSWER_INVALID,
      `The legacy web service's health check answered a redirect (${statusCode}), which is not followed: set LEGACY_VERIFY_HEALTH_URL to the address that answers.`,
    );
  }
  throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `The legacy web service's health check answered ${statusCode}.`);
}

/**
 * `/readyz` without LEGACY_VERIFY_HEALTH_URL: an `OPTIONS` request to LEGACY_VERIFY_URL, with no credentials and no
 * body, so no user and no password is involved. Any answer proves that the service is reachable and accepted our TLS
 * (our client certificate included, which a bare TLS 1.3 handshake would not: the server refuses a certificate
 * after the client considers the handshake done). Only 502, 503 and 504 — a gateway or the server saying it cannot
 * serve now (RFC 9110 §15.6.3–15.6.5, https://www.rfc-editor.org/rfc/rfc9110#section-15.6.3) — mean not ready; a
 * 401, 404 or 405 to an OPTIONS request says nothing about password checks.
 *
 * @example
 *   await checkVerifyOrigin(agent, verifyUrl, bounds, 65536);
 */
export async function checkVerifyOrigin(dispatcher: Dispatcher, verifyUrl: URL, bounds: CallBounds, maxBytes: number): Promise<void> {
  const answer = await exchange(dispatcher, verifyUrl, { method: 'OPTIONS', headers: { 'user-agent': 'entra-migrate' } }, bounds, maxBytes);
  answer.discard();
  if (answer.statusCode === 502 || answer.statusCode === 503 || answer.statusCode === 504) {
    throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `The legacy web service answered ${answer.statusCode} to a readiness check.`);
  }
}
