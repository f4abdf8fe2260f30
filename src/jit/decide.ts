import type { PasswordSubmitAnswer } from '../events/index.js';
import { DEFAULT_MESSAGES, type JitMessages } from './messages.js';
import { policyViolationOf } from './password-policy.js';
import type { LegacyVerdict } from './verdict.js';

/** Why we answered as we did: stable codes for the ledger, logs and metrics. Never a password. */
export type DecisionReason =
  | 'password-correct'
  | 'password-correct-policy-too-short'
  | 'password-correct-policy-too-long'
  | 'password-correct-policy-character-not-allowed'
  | 'password-correct-policy-too-few-character-classes'
  | 'password-correct-must-change'
  | 'password-wrong'
  | 'legacy-account-not-found'
  | 'legacy-account-blocked'
  | 'legacy-store-unavailable'
  | 'legacy-hash-unverifiable'
  | 'deadline-exceeded'
  | 'overloaded'
  /** Past ATTEMPT_LIMIT_PER_ACCOUNT wrong passwords in the window: answered without asking the legacy system. */
  | 'attempt-limit-reached'
  /** STUFFING_SIGNAL_MODE=block while the credential-stuffing signal holds: every attempt answered unavailable. */
  | 'credential-stuffing-suspected';

export interface Decision {
  answer: PasswordSubmitAnswer;
  reason: DecisionReason;
}

const UNAVAILABLE_REASONS = {
  'store-error': 'legacy-store-unavailable',
  'hash-error': 'legacy-hash-unverifiable',
  deadline: 'deadline-exceeded',
  overloaded: 'overloaded',
} as const satisfies Record<Extract<LegacyVerdict, { kind: 'legacy-unavailable' }>['cause'], DecisionReason>;

/**
 * The migration policy: a legacy verdict in, Entra's action out. Pure; the table in the tests is its spec.
 *
 * - correct password that Entra's policy accepts → `MigratePassword` (Entra stores it and clears the flag);
 * - correct password that the policy refuses, or that the legacy system says must be changed → `UpdatePassword`
 *   (the user picks a new one at Entra);
 * - wrong password, and no legacy account at all → `Retry` with the same message, so nothing reveals which;
 * - account blocked in the legacy system → `Block`;
 * - legacy system failed or too slow → `Block` with "temporarily unavailable": the user can try again and
 *   nothing was migrated on a guess;
 * - past the attempt limit (the legacy system not asked) → `Block` with "too many attempts", for a known and an
 *   unknown sign-in name alike, even if the password was right;
 * - while the credential-stuffing signal holds in block mode → `Block` with "temporarily unavailable", for everyone:
 *   the user can try again in a few minutes, as after an outage.
 *
 * @example
 *   decide({ kind: 'password-wrong', legacyId: '42' }, messages).answer // { action: 'Retry', message: '…' }
 */
export function decide(verdict: LegacyVerdict, messages: JitMessages): Decision {
  switch (verdict.kind) {
    case 'password-correct': {
      if (verdict.mustChangePassword) return { answer: { action: 'UpdatePassword' }, reason: 'password-correct-must-change' };
      const violation = policyViolationOf(verdict.password);
      if (violation === null) return { answer: { action: 'MigratePassword' }, reason: 'password-correct' };
      return { answer: { action: 'UpdatePassword' }, reason: `password-correct-policy-${violation}` };
    }
    case 'password-wrong':
      return { answer: { action: 'Retry', message: messages.retry.message }, reason: 'password-wrong' };
    case 'account-not-found':
      return { answer: { action: 'Retry', message: messages.retry.message }, reason: 'legacy-account-not-found' };
    case 'account-blocked':
      return { answer: { action: 'Block', ...messages.blocked }, reason: 'legacy-account-blocked' };
    case 'legacy-unavailable':
      return { answer: { action: 'Block', ...messages.unavailable }, reason: UNAVAILABLE_REASONS[verdict.cause] };
    case 'attempt-limit-reached':
      return { answer: { action: 'Block', ...(messages.tooManyAttempts ?? DEFAULT_MESSAGES.en!.tooManyAttempts!) }, reason: 'attempt-limit-reached' };
    case 'stuffing-suspected':
      return { answer: { action: 'Block', ...messages.unavailable }, reason: 'credential-stuffing-suspected' };
  }
}
