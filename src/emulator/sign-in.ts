import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { policyViolationOf, type PasswordPolicyViolation } from '../jit/index.js';
import { callPasswordSubmitExtension } from './callout-client.js';
import type { Directory } from './directory.js';
import type { ExtensionResolution } from './configured-extension.js';
import type { EmulatedTenant } from './tenant.js';

/** What the user sees after submitting the sign-in form. */
export type SignInOutcome =
  | { outcome: 'signed-in'; migrated: boolean }
  | { outcome: 'password-change-required'; state: string }
  | { outcome: 'invalid-credentials'; message: string }
  | { outcome: 'blocked'; title: string; message: string }
  | { outcome: 'extension-error'; errorCode: number; aadsts: 'AADSTS1100001'; detail: string };

export type ChangePasswordOutcome =
  | { outcome: 'signed-in'; migrated: true }
  | { outcome: 'state-invalid' }
  /** `reason` is the policy's code (for scripts); the page words it as a sentence. */
  | { outcome: 'password-rejected'; reason: PasswordPolicyViolation };

export interface SignInAttempt {
  username: string;
  password: string;
  /** The client application the user signs in to (a listener applies to the apps it includes); default the emulator's. */
  clientId?: string;
  locale?: string;
  ip?: string;
}

export interface SignInService {
  signIn(attempt: SignInAttempt): Promise<SignInOutcome>;
  /** Completes an UpdatePassword: the state from `password-change-required` is single-use and lives 10 minutes. */
  changePassword(state: string, newPassword: string): Promise<ChangePasswordOutcome>;
  /** OnPasswordSubmit callouts made so far (a retry counts once). */
  calloutCount(): number;
}

export interface SignInServiceOptions {
  tenant: EmulatedTenant;
  directory: Directory;
  /** The OnPasswordSubmit extension in force: set directly, or resolved from the tenant's Graph objects. */
  extension: (clientAppId?: string) => ExtensionResolution;
  now: () => number;
  logger: Logger;
  fetch?: typeof globalThis.fetch;
}

/** Entra's own texts for the outcomes the extension does not word. */
const INCORRECT_PASSWORD = 'Your password is incorrect.';
const BLOCKED = { title: 'Your account is locked', message: 'Contact your administrator.' };
const STATE_LIFETIME_IN_MS = 10 * 60_000;
const MAX_PENDING_STATES = 10_000;

/**
 * The sign-in flow of External ID for e-mail + password, with the OnPasswordSubmit step: the extension is called
 * only when the typed password does not match the stored one and the user's migration flag is true.
 *
 * @example
 *   const outcome = await service.signIn({ username: 'ada@contoso.example', password });
 */
export function createSignInService(options: SignInServiceOptions): SignInService {
  const { directory, now } = options;
  const log = options.logger.child({ name: 'emulator:sign-in' });
  const pending = new Map<string, { userId: string; expiresAt: number }>();
  let callouts = 0;

  const markMigrated = (userId: string, flagAttribute: string) => directory.setExtensionAttribute(userId, flagAttribute, false);
  const flagAttributeOf = (resolution: ExtensionResolution) =>
    resolution.kind === 'ready' ? resolution.extension.migrationFlagAttribute : resolution.kind === 'misconfigured' ? resolution.migrationFlagAttribute : undefined;

  return {
    calloutCount: () => callouts,

    async signIn(attempt) {
      const user = directory.findUserBySignInName(attempt.username);
      if (!user || !user.accountEnabled) return { outcome: 'invalid-credentials', message: INCORRECT_PASSWORD };
      const resolution = options.extension(attempt.clientId);
      const flagAttribute = flagAttributeOf(resolution);
      const flagged = flagAttribute !== undefined && directory.getExtensionAttributes(user.id)[flagAttribute] === true;
      if (await directory.checkPassword(user.id, attempt.password)) {
        // The password already lives in the tenant (a reset, or set in phase 1): Entra marks the user migrated.
        if (flagged) markMigrated(user.id, flagAttribute!);
        return { outcome: 'signed-in', migrated: false };
      }
      if (!flagged) return { outcome: 'invalid-credentials', message: INCORRECT_PASSWORD };
      if (resolution.kind === 'misconfigured') {
        log.info({ userId: user.id, errorCode: resolution.errorCode }, 'OnPasswordSubmit not called: the tenant configuration is wrong');
        return { outcome: 'extension-error', errorCode: resolution.errorCode, aadsts: 'AADSTS1100001', detail: resolution.detail };
      }
      if (resolution.kind !== 'ready') return { outcome: 'invalid-credentials', message: INCORRECT_PASSWORD };
      const extension = resolution.extension;

      callouts++;
      const locale = attempt.locale ?? 'en-us';
      const result = await callPasswordSubmitExtension({
        tenant: options.tenant,
        extension,
        user,
        password: attempt.password,
        username: attempt.username,
        ...(attempt.clientId && { clientAppId: attempt.clientId }),
        client: { ip: attempt.ip ?? '127.0.0.1', locale, market: locale },
        now,
        ...(options.fetch && { fetch: options.fetch }),
      });
      log.info({ userId: user.id, ok: result.ok, action: result.ok ? result.action : undefined, errorCode: result.ok ? undefined : result.errorCode, attempts: result.attempts, latencyInMs: result.latencyInMs }, 'OnPasswordSubmit callout');
      if (!result.ok) return { outcome: 'extension-error', errorCode: result.errorCode, aadsts: 'AADSTS1100001', detail: result.detail };

      switch (result.action) {
        case 'MigratePassword':
          await directory.setPassword(user.id, attempt.password);
          markMigrated(user.id, extension.migrationFlagAttribute);
          return { outcome: 'signed-in', migrated: true };
        case 'UpdatePassword': {
          sweep(pending, now());
          if (pending.size >= MAX_PENDING_STATES) return { outcome: 'invalid-credentials', message: INCORRECT_PASSWORD };
          const state = randomBytes(24).toString('base64url');
          pending.set(state, { userId: user.id, expiresAt: now() + STATE_LIFETIME_IN_MS });
          return { outcome: 'password-change-required', state };
        }
        case 'Retry':
          return { outcome: 'invalid-credentials', message: result.message ?? INCORRECT_PASSWORD };
        case 'Block':
          return { outcome: 'blocked', title: result.title ?? BLOCKED.title, message: result.message ?? BLOCKED.message };
      }
    },

    async changePassword(state, newPassword) {
      const entry = pending.get(state);
      if (!entry || entry.expiresAt < now()) {
        pending.delete(state);
        return { outcome: 'state-invalid' };
      }
      const violation = policyViolationOf(newPassword);
      if (violation !== null) return { outcome: 'password-rejected', reason: violation };
      pending.delete(state);
      await directory.setPassword(entry.userId, newPassword);
      const flagAttribute = flagAttributeOf(options.extension());
      if (flagAttribute) markMigrated(entry.userId, flagAttribute);
      return { outcome: 'signed-in', migrated: true };
    },
  };
}

function sweep(pending: Map<string, { expiresAt: number }>, now: number): void {
  for (const [state, entry] of pending) if (entry.expiresAt < now) pending.delete(state);
}
