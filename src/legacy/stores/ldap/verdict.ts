import type { LegacyCheck } from '../../authority.js';
import { adBindVerdict } from './ad-data-code.js';
import type { PasswordPolicyResponse } from './password-policy.js';
import type { UserEntry } from './user-entry.js';

/** How the bind as the user ended, as far as the password goes. Other results reject before a verdict is asked. */
export type UserBindResult =
  | { readonly kind: 'bound'; readonly policy: PasswordPolicyResponse | null }
  /** Result 49, invalidCredentials, with the server's diagnostic message (read for Active Directory's data code). */
  | { readonly kind: 'invalid-credentials'; readonly diagnosticMessage: string; readonly policy: PasswordPolicyResponse | null };

/**
 * The sign-in's verdict from the bind and what is known of the entry (found by the search, or read after a direct
 * bind; null when nothing could be read).
 *
 * - Bound: correct — unless AD's `userAccountControl` says disabled (blocked), or slapd's password policy control
 *   says the password must be changed after an administrator's reset, or that this was a grace bind with an
 *   expired password (correct, must change).
 * - Result 49 from Active Directory: its data code decides (see ad-data-code.ts).
 * - Result 49 otherwise: blocked when slapd's control says `accountLocked` (ppolicy_use_lockout) or the entry's
 *   `pwdAccountLockedTime` is in effect — slapd answers a locked account's right password with the same 49, so a
 *   lock is reported whatever was typed; correct but must change when the control says `passwordExpired` (slapd
 *   sends it only after the password matched); wrong otherwise.
 *
 * @example
 *   verdictOf({ kind: 'invalid-credentials', diagnosticMessage: '', policy: null }, entry) // { outcome: 'wrong', legacyId }
 */
export function verdictOf(bind: UserBindResult, entry: UserEntry | null): LegacyCheck {
  const legacyId = entry?.legacyId ?? null;
  if (bind.kind === 'bound') {
    if (entry?.disabled) return { outcome: 'blocked', legacyId, status: 'disabled' };
    // A grace bind (graceAuthNsRemaining) is slapd letting an expired password in a few more times.
    const mustChangePassword =
      bind.policy?.error === 'changeAfterReset' || bind.policy?.error === 'passwordExpired' || bind.policy?.graceAuthNsRemaining != null;
    return { outcome: 'correct', legacyId, mustChangePassword };
  }
  const ad = adBindVerdict(bind.diagnosticMessage);
  if (ad !== undefined) {
    switch (ad.outcome) {
      case 'unknown':
        return { outcome: 'unknown' };
      case 'wrong':
        return { outcome: 'wrong', legacyId };
      case 'blocked':
        return { outcome: 'blocked', legacyId, status: ad.status };
      case 'correct':
        if (entry?.disabled) return { outcome: 'blocked', legacyId, status: 'disabled' };
        return { outcome: 'correct', legacyId, mustChangePassword: true };
    }
  }
  if (bind.policy?.error === 'accountLocked' || entry?.locked) return { outcome: 'blocked', legacyId, status: 'locked' };
  if (bind.policy?.error === 'passwordExpired') return { outcome: 'correct', legacyId, mustChangePassword: true };
  return { outcome: 'wrong', legacyId };
}
