import type { LegacyLookup } from './store.js';

/** One sign-in as the legacy system is asked about it: who (as Entra tells us) and the password typed. */
export interface SignInAttempt extends LegacyLookup {
  /** The password typed. Never logged, never stored, never put in an error. */
  password: string;
}

/** What every password check receives from the handler. */
export interface PasswordCheckOptions {
  /**
   * Fires when the answer no longer counts (the deadline passed, the server is closing). A check rejects with the
   * signal's reason as soon as it fires and releases what it holds (closes the socket, ends the bind).
   */
  abortSignal: AbortSignal;
  /**
   * When the answer must be built by, in ms since the epoch: a network store's timeout is what remains of it, so a
   * slow legacy system is given up on before Entra gives up on us.
   */
  deadlineAt: number;
}

/**
 * What the legacy system said about one sign-in. A failure to get an answer is not one of these: the check rejects
 * with a `LegacyStoreError` (or a `HashError` for a stored hash that cannot be verified) and the sign-in is answered
 * "temporarily unavailable".
 *
 * - `correct`: the password is right. `mustChangePassword` when the legacy system says it must be changed (expired,
 *   reset by an administrator): the user picks a new one at Entra.
 * - `wrong`: the password is wrong (for an account that exists; `legacyId` when the system told us which).
 * - `unknown`: no such account. Answered exactly like `wrong`, so nothing tells the two apart.
 * - `blocked`: the account may not sign in (locked, disabled). A store reports it only after a correct password,
 *   unless the legacy system refuses a locked account whatever is typed and cannot tell us whether the password
 *   was right (an OpenLDAP ppolicy lock).
 */
export type LegacyCheck =
  | { outcome: 'correct'; legacyId: string | null; mustChangePassword: boolean }
  | { outcome: 'wrong'; legacyId: string | null }
  | { outcome: 'unknown' }
  | { outcome: 'blocked'; legacyId: string | null; status: 'locked' | 'disabled' | 'blocked' };

/**
 * A legacy system asked whether a password is right. The SQL stores answer through a hash verifier
 * ({@link hashStoreAuthority}); a web service, a directory and an OpenID provider answer the question themselves.
 *
 * @example
 *   const check = await authority.checkPassword(
 *     { username: 'ada@example.com', email: null, objectId, password },
 *     { abortSignal, deadlineAt: receivedAt + 1490 },
 *   );
 *   if (check.outcome === 'correct') { … }
 */
export interface LegacyAuthority {
  /** `sqlite`, `postgres`, `mysql`, `memory`, `web-service`, `ldap` or `ropc`: for logs, metrics and `doctor`. */
  readonly kind: string;
  checkPassword(attempt: SignInAttempt, options: PasswordCheckOptions): Promise<LegacyCheck>;
  /**
   * Resolves when the legacy system answers a request that involves no user: for `/readyz` and start-up checks.
   * Never a password check (it would fill the legacy system's logs and lockout counters).
   */
  ping(options?: { abortSignal?: AbortSignal }): Promise<void>;
  /** Releases connections. Idempotent; later checks reject with `LEGACY_STORE_UNAVAILABLE`. */
  close(): Promise<void>;
}
