import type { LegacyCheck } from '../../authority.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import type { ServiceAnswer } from './answer-body.js';
import { failureOfStatus, refusedUs, unexpectedStatus } from './status-codes.js';
import { accountStatusOf, parseVerdict, type Verdict } from './verdict.js';

/**
 * Reads an answer of LEGACY_VERIFY_MODE=json, the contract of docs/legacy-web-service.md:
 * - 200 with a verdict: `valid:true` → correct (`mustChangePassword` carried over), unless `status` blocks the
 *   account; `valid:false` → wrong.
 * - 401, 403 or 404 with a `valid:false` verdict → wrong; without one → the service refused us (MISCONFIGURED).
 * - 423 Locked (RFC 4918 §11.3, https://www.rfc-editor.org/rfc/rfc4918#section-11.3) → blocked, `locked`.
 * - 3xx, 429, 5xx: see {@link failureOfStatus}; any other status, a body that is not a verdict, or one over the
 *   size limit → ANSWER_INVALID.
 *
 * `valid:false` cannot tell a wrong password from an unknown account. With an `id` the account exists → `wrong`;
 * without one → `unknown`. Both are answered Retry, so the difference only shows in the ledger.
 *
 * @example
 *   await readJsonAnswer(answer) // { outcome: 'correct', legacyId: '42', mustChangePassword: false }
 */
export async function readJsonAnswer(answer: ServiceAnswer): Promise<LegacyCheck> {
  const { statusCode } = answer;
  const failure = failureOfStatus(statusCode);
  if (failure) {
    answer.discard();
    throw failure;
  }
  if (statusCode === 200) return checkOf(parseVerdict(await answer.text()));
  if (statusCode === 401 || statusCode === 403 || statusCode === 404) {
    const verdict = await optionalVerdict(answer);
    if (verdict === null) throw refusedUs(statusCode);
    if (verdict.valid) {
      throw new LegacyStoreError(LegacyStoreErrorCode.ANSWER_INVALID, `The legacy web service answered "valid": true with status ${statusCode}; only 200 may carry it.`);
    }
    return rejectionOf(verdict);
  }
  if (statusCode === 423) {
    // The service says the account is locked. Like `status: "locked"`, it should say so only after a correct password.
    const verdict = await optionalVerdict(answer);
    return { outcome: 'blocked', legacyId: verdict?.id ?? null, status: 'locked' };
  }
  answer.discard();
  throw unexpectedStatus(statusCode);
}

function checkOf(verdict: Verdict): LegacyCheck {
  if (!verdict.valid) return rejectionOf(verdict);
  const legacyId = verdict.id ?? null;
  const status = accountStatusOf(verdict.status);
  if (status !== 'active') return { outcome: 'blocked', legacyId, status };
  return { outcome: 'correct', legacyId, mustChangePassword: verdict.mustChangePassword === true };
}

/** `valid:false`: `status` is ignored (a lock is reported only after a correct password). */
function rejectionOf(verdict: Verdict): LegacyCheck {
  return verdict.id ? { outcome: 'wrong', legacyId: verdict.id } : { outcome: 'unknown' };
}

/** The verdict a 401/403/404/423 may carry, or null when its body is none (empty, HTML, too large, another shape). */
async function optionalVerdict(answer: ServiceAnswer): Promise<Verdict | null> {
  try {
    return parseVerdict(await answer.text());
  } catch (error) {
    if (error instanceof LegacyStoreError && error.code === LegacyStoreErrorCode.ANSWER_INVALID) return null;
    throw error; // the call ended (deadline, abort, connection lost): not an answer at all
  }
}
