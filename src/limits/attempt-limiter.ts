import { createHmac } from 'node:crypto';
import type { AttemptStore, AttemptTaken } from './attempt-store.js';
import { settled } from './memory-attempt-store.js';

export interface AttemptLimiterOptions {
  /** Wrong passwords allowed per account in a window (ATTEMPT_LIMIT_PER_ACCOUNT); the attempt after them is refused. */
  limit: number;
  /** The window, in ms from the first wrong password counted (ATTEMPT_WINDOW_SECONDS × 1000). */
  windowInMs: number;
  /**
   * The key of the keyed hash that names an account in the store (RATE_LIMIT_KEY_SECRET with Redis, random bytes per
   * process in memory). Every replica sharing a Redis must have the same one, or each counts under its own names.
   */
  keySecret: string | Buffer;
  store: AttemptStore;
}

/** Counts failed sign-ins per account and refuses the attempts past the limit (issue 15, docs/attempt-limits.md). */
export interface AttemptLimiter {
  /**
   * Counts this attempt for `signInName` and says whether it may be checked at all. Never throws: a store that
   * cannot answer is replaced by memory (see shared-attempt-store.ts).
   */
  admit(signInName: string, options: { answerBy: number }): Promise<AttemptTaken>;
  close(): Promise<void>;
}

/**
 * The account's name in the store: HMAC-SHA-256 of the sign-in name as the legacy look-up compares it (Unicode
 * lower case, no locale: `Ada@Example.com` and `ada@example.com` are one account, as they are one legacy row),
 * base64url. Keyed rather than a plain hash, because e-mail addresses are guessable: a plain SHA-256 of one is
 * found again by hashing a list of addresses, so Redis would hold them in all but name. 43 characters whatever the
 * name's length.
 *
 * @example
 *   attemptKeyOf('Ada@Example.com', secret) === attemptKeyOf('ada@example.com', secret) // true
 */
export function attemptKeyOf(signInName: string, keySecret: string | Buffer): string {
  return createHmac('sha256', keySecret).update(signInName.toLowerCase(), 'utf8').digest('base64url');
}

/**
 * The per-account attempt limit over a store. Each attempt is counted before the legacy check (so parallel guesses
 * cannot overshoot the limit), then settled by the caller: `clear()` after a correct password, `giveBack()` when the
 * legacy store could not say, nothing after a wrong password, an unknown account or a legacy lockout.
 *
 * @example
 *   const limiter = createAttemptLimiter({ limit: 10, windowInMs: 900_000, keySecret, store });
 *   const attempt = await limiter.admit(context.username, { answerBy });
 *   if (!attempt.allowed) return tooManyAttempts;
 */
export function createAttemptLimiter(options: AttemptLimiterOptions): AttemptLimiter {
  const { limit, windowInMs, keySecret, store } = options;
  return {
    async admit(signInName, { answerBy }) {
      try {
        return await store.take(attemptKeyOf(signInName, keySecret), { limit, windowInMs, answerBy });
      } catch {
        // Unreachable with the stores here (memory never fails); if one ever did, a sign-in is not failed for it.
        return settled(true, 0);
      }
    },
    close: () => store.close(),
  };
}
