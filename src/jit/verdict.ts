/**
 * What we learned about a sign-in from the legacy system, before any policy is applied. The handler produces
 * one of these (or, past the attempt limit, says it did not ask); {@link decide} turns it into Entra's action. No variant carries the password itself, except the
 * correct-password one, which needs it only to check Entra's policy and never stores it.
 */
export type LegacyVerdict =
  /** `mustChangePassword`: the legacy system says this password must be changed (expired, set by an administrator). */
  | { kind: 'password-correct'; legacyId: string | null; password: string; mustChangePassword?: boolean }
  | { kind: 'password-wrong'; legacyId: string | null }
  | { kind: 'account-not-found' }
  | { kind: 'account-blocked'; legacyId: string | null }
  /** The legacy store failed or did not answer in time. */
  | { kind: 'legacy-unavailable'; legacyId: string | null; cause: 'store-error' | 'hash-error' | 'deadline' | 'overloaded' }
  /**
   * The legacy system was not asked: this sign-in name used up its wrong passwords for the window
   * (ATTEMPT_LIMIT_PER_ACCOUNT, limits/attempt-limiter.ts). Nothing is known of the account, not even whether it exists.
   */
  | { kind: 'attempt-limit-reached' }
  /**
   * The legacy system was not asked: the credential-stuffing signal holds and STUFFING_SIGNAL_MODE=block
   * (limits/stuffing-signal.ts). Nothing is counted against the account.
   */
  | { kind: 'stuffing-suspected' };
