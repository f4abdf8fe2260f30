/**
 * Who is signing in, as Entra tells us. A store's query may use any of the three; which one identifies an account
 * is the store's configuration, not ours.
 */
export interface LegacyLookup {
  /** The sign-in name the user typed (the `username` claim of the decrypted password context). */
  username: string;
  /** The user's mail from the authentication context, when Entra has one. */
  email: string | null;
  /** The Entra object id of the user (`authenticationContext.user.id`). */
  objectId: string;
}

/** The account status after mapping; see {@link legacyStatusOf} for the rules. */
export type LegacyAccountStatus = 'active' | 'blocked';

/** One legacy account as a store found it. Holds a password hash, so it is never logged or stored. */
export interface LegacyAccount {
  /** The account's id in the legacy system, as text (numeric ids become decimal strings), or null if not selected. */
  id: string | null;
  /** The stored hash (or an encoded form of it), exactly as the store holds it; never empty. */
  passwordHash: string;
  status: LegacyAccountStatus;
  /** The status as the store wrote it, kept for the ledger and for diagnosing a `blocked` mapping. */
  rawStatus: string | null;
  /** A hash scheme named by the store (`bcrypt`, `pbkdf2-sha256`), for formats that cannot be told by shape. */
  scheme: string | null;
  /** A salt kept apart from the hash, as text (binary salts must be encoded by the query). */
  salt: string | null;
  /** The account name a hash is salted with (a `username` column), for the formats that need it; absent when not selected. */
  username?: string | null;
}

/** Options every store operation takes. */
export interface LegacyStoreCallOptions {
  /**
   * Abandons the wait: the promise rejects with `abortSignal.reason` (as `fetch` does) as soon as the signal
   * fires. A server store destroys the connection of a statement it abandons (the server then drops the statement
   * when it notices the closed connection), so an abort never leaves a busy connection in the pool.
   */
  abortSignal?: AbortSignal;
}

/**
 * Where legacy credentials live. Implementations: the in-memory twin and the SQL stores (SQLite, PostgreSQL,
 * MySQL/MariaDB). Every failure rejects with a `LegacyStoreError`, except an abort (see
 * {@link LegacyStoreCallOptions.abortSignal}).
 */
export interface LegacyStore {
  /** `memory`, `sqlite`, `postgres` or `mysql`: for logs, metrics and the `doctor` command. */
  readonly kind: string;
  /**
   * The one account matching `lookup`, or null when none does. Several matching accounts are an error
   * (`LEGACY_ROW_INVALID`): an ambiguous lookup never picks one silently.
   */
  findAccount(lookup: LegacyLookup, options?: LegacyStoreCallOptions): Promise<LegacyAccount | null>;
  /** Resolves when the store answers a trivial request; for readiness probes and start-up checks. */
  ping(options?: LegacyStoreCallOptions): Promise<void>;
  /** Releases connections. Idempotent; later calls reject with `LEGACY_STORE_UNAVAILABLE`. */
  close(): Promise<void>;
}
