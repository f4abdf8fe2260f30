/**
 * One attempt taken against an account's count, and how to settle it once the legacy system has answered. The
 * attempt is counted as a failure when it is taken (so that a burst of parallel guesses stops at the limit, not at
 * the limit plus whatever was in flight); a correct password clears the count and an attempt the user is not to
 * blame for (the legacy store down or too slow) is given back.
 */
export interface AttemptTaken {
  /** False when the account had already used up its failures in the window: this attempt was not counted. */
  readonly allowed: boolean;
  /** Failures counted in the window, this one included when it was allowed. */
  readonly failures: number;
  /** The password was correct: the count starts again from zero. */
  clear(): Promise<void>;
  /** The attempt told the user nothing about the password (store down, deadline): it no longer counts. */
  giveBack(): Promise<void>;
}

/** What one `take` needs besides the key. */
export interface TakeOptions {
  /** Failures allowed in a window; the attempt after them is refused. */
  readonly limit: number;
  /** The window, in ms from the first failure counted: the count disappears when it ends. */
  readonly windowInMs: number;
  /** When the answer is needed by, in ms since the epoch: a store that cannot answer by then gives up. */
  readonly answerBy: number;
}

/**
 * Where attempt counts live: this process's memory, or Redis shared by every replica. Keys are already keyed
 * hashes (limits/attempt-key.ts), never a sign-in name.
 */
export interface AttemptStore {
  /** Counts one attempt for `key` unless `limit` failures are already counted in its window; atomic per key. */
  take(key: string, options: TakeOptions): Promise<AttemptTaken>;
  close(): Promise<void>;
}
