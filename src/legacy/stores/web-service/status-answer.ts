import type { LegacyCheck } from '../../authority.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import type { ServiceAnswer } from './answer-body.js';
import { failureOfStatus, unexpectedStatus } from './status-codes.js';

/**
 * Reads an answer of LEGACY_VERIFY_MODE=status, for an existing login endpoint that answers no JSON: the status
 * alone is the verdict and the body is let go unread (drained up to the size limit so the connection is reused).
 * - 2xx → correct (no legacy id, no must-change flag: the endpoint cannot say);
 * - 401 Unauthorized, 403 Forbidden → wrong (RFC 9110 §15.5.2, §15.5.4, https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2);
 *   in this mode a 401 cannot tell a wrong LEGACY_VERIFY_AUTH from a wrong password;
 * - 423 Locked → blocked, `locked` (RFC 4918 §11.3, https://www.rfc-editor.org/rfc/rfc4918#section-11.3);
 * - 404 → the address is wrong (MISCONFIGURED, naming LEGACY_VERIFY_URL);
 * - 3xx, 429, 5xx: see {@link failureOfStatus}; anything else → ANSWER_INVALID.
 *
 * @example
 *   await readStatusAnswer(answer) // { outcome: 'wrong', legacyId: null }
 */
export async function readStatusAnswer(answer: ServiceAnswer): Promise<LegacyCheck> {
  const { statusCode } = answer;
  answer.discard();
  const failure = failureOfStatus(statusCode);
  if (failure) throw failure;
  if (statusCode >= 200 && statusCode < 300) return { outcome: 'correct', legacyId: null, mustChangePassword: false };
  if (statusCode === 401 || statusCode === 403) return { outcome: 'wrong', legacyId: null };
  if (statusCode === 423) return { outcome: 'blocked', legacyId: null, status: 'locked' };
  if (statusCode === 404) {
    throw new LegacyStoreError(LegacyStoreErrorCode.MISCONFIGURED, 'The legacy web service answered 404, so the address was not found: check LEGACY_VERIFY_URL.');
  }
  throw unexpectedStatus(statusCode);
}
