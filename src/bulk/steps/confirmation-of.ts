import type { Confirmation, MigratePasswordAnswers } from '../../ledger/index.js';

/** What Graph said of one user, read with `$select=id,lastPasswordChangeDateTime,<flag>`. */
export interface UserSeen {
  /** The flag attribute's value; undefined when Graph returned none (never set, or removed). */
  flag: unknown;
  /** `lastPasswordChangeDateTime`, or null when Graph gave none or an unreadable one. */
  lastPasswordChangeAt: Date | null;
}

export interface ConfirmationInput {
  user: UserSeen;
  /** When phase 1 recorded the account: a password change after it is a reset. */
  preCreatedAt: Date;
  /** Our MigratePassword answers to this user, if any. */
  answers: MigratePasswordAnswers | undefined;
  now: number;
  /** `--grace`: how long after our last MigratePassword the flag may still be true before it is "not applied". */
  graceInMs: number;
}

/**
 * Where one account stands, from what Graph says and what we answered, or why it cannot be told:
 * `flag-missing` (Graph returned no flag: it was removed, or MIGRATION_FLAG_ATTRIBUTE names another attribute) and
 * `flag-cleared-elsewhere` (the flag is false, yet we never answered MigratePassword and the password did not change
 * after the pre-creation: someone else cleared it) are recorded `pending`, listed for attention, never marked.
 *
 * The rules (issue 11): flag false + our MigratePassword → migrated by the extension; flag false + a password
 * change after the pre-creation and no MigratePassword of ours → migrated by a reset; flag true + our last
 * MigratePassword older than the grace → not applied (Entra did not apply our answer); flag true otherwise → pending.
 * Graph reports `lastPasswordChangeDateTime` to the second, so a reset within the second of the pre-creation is not
 * told apart from it.
 *
 * @example
 *   confirmationOf({ user: { flag: false, lastPasswordChangeAt: null }, preCreatedAt, answers: { lastAt, correlationIds: ['c1'] }, now, graceInMs })
 *   // 'migrated-by-extension'
 */
export function confirmationOf(input: ConfirmationInput): Confirmation | 'flag-missing' | 'flag-cleared-elsewhere' {
  const { user, answers } = input;
  if (user.flag === true) {
    return answers && input.now - answers.lastAt.getTime() >= input.graceInMs ? 'not-applied' : 'pending';
  }
  if (user.flag !== false) return 'flag-missing';
  if (answers) return 'migrated-by-extension';
  if (user.lastPasswordChangeAt !== null && user.lastPasswordChangeAt.getTime() > input.preCreatedAt.getTime()) return 'migrated-by-reset';
  return 'flag-cleared-elsewhere';
}

/**
 * The user as Graph answered a GET with `$select`: the flag as it came, the password change time when it parses.
 * A body that is not an object gives an unknown flag and no time.
 */
export function userSeenOf(body: unknown, flagAttribute: string): UserSeen {
  const user = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const flag = Object.hasOwn(user, flagAttribute) ? user[flagAttribute] : undefined;
  const text = user.lastPasswordChangeDateTime;
  const at = typeof text === 'string' && text.length <= 64 ? new Date(text) : null;
  return { flag, lastPasswordChangeAt: at && !Number.isNaN(at.getTime()) ? at : null };
}
