import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** How long a code sent by e-mail stays valid, and how many wrong tries void it. */
export const ONE_TIME_CODE_LIFETIME_IN_MS = 10 * 60_000;
export const ONE_TIME_CODE_MAX_TRIES = 3;
/** Entra's e-mail one-time passcodes are 8 digits. */
const CODE_DIGITS = 8;
/** Codes waiting at once; past this, new ones are refused rather than memory growing without bound. */
const MAX_PENDING = 10_000;

/** A code "sent" to an address: the flow's handle (never the code) and the code the e-mail would carry. */
export interface IssuedCode {
  /** Opaque, single-use: names the pending verification in the next request. */
  readonly verificationId: string;
  readonly code: string;
  readonly expiresAt: number;
}

export type RedeemResult<T> = { ok: true; subject: T } | { ok: false; reason: 'unknown' | 'expired' | 'wrong-code' | 'too-many-tries' };

export interface OneTimeCodes<T> {
  /** Issues a new code for `subject`, or undefined when too many are pending. */
  issue(subject: T): IssuedCode | undefined;
  /** Checks a code: right once only; a wrong code counts a try, and the last try voids it. */
  redeem(verificationId: string, code: string): RedeemResult<T>;
}

/**
 * One-time passcodes as the e-mail verification of a sign-up or a password reset uses them: 8 digits, valid 10
 * minutes, never valid twice, void after 3 wrong tries. Kept in memory only (a restart forgets them, as it would
 * forget a half-done sign-up page).
 *
 * @example
 *   const codes = createOneTimeCodes<string>(Date.now);
 *   const issued = codes.issue('ada@contoso.example')!;
 *   codes.redeem(issued.verificationId, issued.code); // { ok: true, subject: 'ada@contoso.example' }
 */
export function createOneTimeCodes<T>(now: () => number): OneTimeCodes<T> {
  const pending = new Map<string, { subject: T; code: string; expiresAt: number; tries: number }>();
  const sweep = () => {
    for (const [id, entry] of pending) if (entry.expiresAt <= now()) pending.delete(id);
  };
  return {
    issue(subject) {
      sweep();
      if (pending.size >= MAX_PENDING) return undefined;
      const verificationId = randomBytes(24).toString('base64url');
      const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
      const expiresAt = now() + ONE_TIME_CODE_LIFETIME_IN_MS;
      pending.set(verificationId, { subject, code, expiresAt, tries: 0 });
      return { verificationId, code, expiresAt };
    },
    redeem(verificationId, code) {
      const entry = pending.get(verificationId);
      if (!entry) return { ok: false, reason: 'unknown' };
      if (entry.expiresAt <= now()) {
        pending.delete(verificationId);
        return { ok: false, reason: 'expired' };
      }
      const typed = Buffer.from(code.trim());
      const expected = Buffer.from(entry.code);
      if (typed.length === expected.length && timingSafeEqual(typed, expected)) {
        pending.delete(verificationId);
        return { ok: true, subject: entry.subject };
      }
      entry.tries++;
      if (entry.tries >= ONE_TIME_CODE_MAX_TRIES) {
        pending.delete(verificationId);
        return { ok: false, reason: 'too-many-tries' };
      }
      return { ok: false, reason: 'wrong-code' };
    },
  };
}
