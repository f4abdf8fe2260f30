import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { policyViolationOf, type PasswordPolicyViolation } from '../../jit/index.js';
import type { Directory } from '../directory.js';
import { createOneTimeCodes, type RedeemResult } from '../one-time-codes.js';
import { EMAIL } from '../sign-up/sign-up-service.js';
import { codeSentOutcome, type CodeSentOutcome, type OtpSender } from '../events/otp-send.js';

export type PasswordResetOutcome =
  /**
   * The code went out (shown: Microsoft sent it, or fell back to sending it after OnOtpSend failed; hidden: the
   * organisation's provider took it), or OnOtpSend failed without a fallback and no code was sent.
   */
  | CodeSentOutcome
  | { outcome: 'email-invalid'; message: string }
  | { outcome: 'user-not-found'; message: string }
  | { outcome: 'code-invalid'; reason: Exclude<RedeemResult<unknown>, { ok: true }>['reason']; message: string }
  /** The code was right: choose the new password with `state` (single-use, 10 minutes). */
  | { outcome: 'new-password-required'; state: string; email: string }
  | { outcome: 'password-rejected'; state: string; reason: PasswordPolicyViolation }
  | { outcome: 'state-invalid' }
  | { outcome: 'busy'; message: string }
  | { outcome: 'password-reset'; email: string };

export interface PasswordResetService {
  /** `clientId`, `locale` and `ip` describe the request to an OnOtpSend extension, when one applies. */
  begin(input: { email: string; clientId?: string; locale?: string; ip?: string }): Promise<PasswordResetOutcome>;
  verify(input: { verificationId: string; code: string }): PasswordResetOutcome;
  setPassword(input: { state: string; newPassword: string }): Promise<PasswordResetOutcome>;
}

export const PASSWORD_RESET_TEXTS = {
  emailInvalid: 'Enter a valid email address.',
  userNotFound: "We couldn't find an account with that email address.",
  codeInvalid: 'That code is wrong. Check the code and try again.',
  codeExpired: 'That code has expired or was already used. Request a new one.',
  tooManyTries: 'Too many wrong codes. Request a new one.',
  busy: 'Too many password resets are in progress. Try again in a few minutes.',
} as const;

const STATE_LIFETIME_IN_MS = 10 * 60_000;
const MAX_STATES = 10_000;

/**
 * Entra External ID's self-service password reset ("Forgot password?") for e-mail + password accounts: the address
 * is verified by a one-time code (through the OnOtpSend extension when a listener applies), then the new password — checked against the tenant's policy — is set in the
 * directory, which updates `lastPasswordChangeDateTime`. No custom extension is called: a user still flagged for
 * migration signs in next with the new password (it matches, so OnPasswordSubmit is not called) and is marked
 * migrated on that sign-in (see sign-in.ts).
 *
 * @example
 *   const sent = service.begin({ email: 'ada@contoso.example' });
 *   const verified = service.verify({ verificationId: sent.verificationId, code: sent.code });
 *   await service.setPassword({ state: verified.state, newPassword });
 */
export function createPasswordResetService(options: { directory: Directory; now: () => number; logger: Logger; otp?: OtpSender }): PasswordResetService {
  const { directory, now } = options;
  const log = options.logger.child({ name: 'emulator:password-reset' });
  const codes = createOneTimeCodes<string>(now);
  const states = new Map<string, { userId: string; email: string; expiresAt: number }>();

  return {
    async begin(input) {
      const email = input.email.trim();
      if (!EMAIL.test(email)) return { outcome: 'email-invalid', message: PASSWORD_RESET_TEXTS.emailInvalid };
      const user = directory.findUserBySignInName(email);
      if (!user || !user.accountEnabled) return { outcome: 'user-not-found', message: PASSWORD_RESET_TEXTS.userNotFound };
      const issued = codes.issue(user.id);
      if (!issued) return { outcome: 'busy', message: PASSWORD_RESET_TEXTS.busy };
      const expiresInSeconds = Math.round((issued.expiresAt - now()) / 1000);
      const locale = input.locale ?? 'en-us';
      const client = { ip: input.ip ?? '127.0.0.1', locale, market: locale };
      const delivery = options.otp ? await options.otp.send({ email, code: issued.code, requestType: 'passwordReset', client, ...(input.clientId && { clientAppId: input.clientId }) }) : { sentBy: 'microsoft' as const };
      return codeSentOutcome(delivery, { email, verificationId: issued.verificationId, code: issued.code, expiresInSeconds });
    },

    verify(input) {
      const redeemed = codes.redeem(input.verificationId, input.code);
      if (!redeemed.ok) {
        const message = redeemed.reason === 'wrong-code' ? PASSWORD_RESET_TEXTS.codeInvalid : redeemed.reason === 'too-many-tries' ? PASSWORD_RESET_TEXTS.tooManyTries : PASSWORD_RESET_TEXTS.codeExpired;
        return { outcome: 'code-invalid', reason: redeemed.reason, message };
      }
      const user = directory.getUser(redeemed.subject);
      if (!user) return { outcome: 'user-not-found', message: PASSWORD_RESET_TEXTS.userNotFound };
      for (const [state, entry] of states) if (entry.expiresAt <= now()) states.delete(state);
      if (states.size >= MAX_STATES) return { outcome: 'busy', message: PASSWORD_RESET_TEXTS.busy };
      const state = randomBytes(24).toString('base64url');
      const email = user.identities.find((identity) => identity.signInType === 'emailAddress')?.issuerAssignedId ?? user.mail ?? '';
      states.set(state, { userId: user.id, email, expiresAt: now() + STATE_LIFETIME_IN_MS });
      return { outcome: 'new-password-required', state, email };
    },

    async setPassword(input) {
      const entry = states.get(input.state);
      if (!entry || entry.expiresAt <= now()) {
        states.delete(input.state);
        return { outcome: 'state-invalid' };
      }
      const violation = policyViolationOf(input.newPassword);
      if (violation !== null) return { outcome: 'password-rejected', state: input.state, reason: violation };
      states.delete(input.state);
      if (!directory.getUser(entry.userId)) return { outcome: 'state-invalid' };
      await directory.setPassword(entry.userId, input.newPassword);
      log.info({ userId: entry.userId }, 'password reset');
      return { outcome: 'password-reset', email: entry.email };
    },
  };
}
