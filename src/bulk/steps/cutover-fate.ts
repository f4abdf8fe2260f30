import type { MigratePasswordAnswers } from '../../ledger/index.js';
import { confirmationOf, type UserSeen } from './confirmation-of.js';

/**
 * What cut-over does with one account read from Graph:
 * - `straggler`: the flag is still true — released (flag cleared) by `--apply`;
 * - `not-applied`: a straggler we answered MigratePassword to that Entra never applied — released the same way;
 * - `already-cleared`: the flag is false with no sign of a migration (an earlier `--apply` stopped before recording it,
 *   or someone cleared it): the user has no usable password either, so `--apply` records it released, without a write;
 * - `migrated`: the flag is false after a migration (ours or a reset): untouched, reconcile's to record and mark;
 * - `flag-missing`: Graph returned no flag (MIGRATION_FLAG_ATTRIBUTE names another attribute?): untouched.
 */
export type CutoverFate = 'straggler' | 'not-applied' | 'already-cleared' | 'migrated' | 'flag-missing';

/**
 * Reconcile's rules (`confirmationOf`) with no grace: once the listener is gone no MigratePassword can still be on its
 * way, so every answer of ours to a user whose flag is still true is one Entra did not apply.
 *
 * @example
 *   cutoverFateOf({ flag: true, lastPasswordChangeAt: null }, preCreatedAt, undefined, Date.now()) // 'straggler'
 */
export function cutoverFateOf(user: UserSeen, preCreatedAt: Date, answers: MigratePasswordAnswers | undefined, now: number): CutoverFate {
  const confirmation = confirmationOf({ user, preCreatedAt, answers, now, graceInMs: 0 });
  switch (confirmation) {
    case 'pending':
      return 'straggler';
    case 'not-applied':
      return 'not-applied';
    case 'flag-cleared-elsewhere':
      return 'already-cleared';
    case 'flag-missing':
      return 'flag-missing';
    default:
      return 'migrated';
  }
}
