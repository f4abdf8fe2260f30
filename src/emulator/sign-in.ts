import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { policyViolationOf, type PasswordPolicyViolation } from '../jit/index.js';
import { callPasswordSubmitExtension } from './callout-client.js';
import type { Directory } from './directory.js';
import type { ExtensionResolution } from './configured-extension.js';
import type { EmulatedTenant } from './tenant.js';
import type { TokenIssuance, TokenIssuer } from './events/token-issuance.js';

/** The id token of a sign-in and its decoded claims, in an outcome only when the attempt asked (`includeIdToken`). */
export interface SignedInToken {
  idToken?: string;
  claims?: Record<string, unknown>;
}

/** How token issuance ended a sign-in that was otherwise a success: no token, and why. */
export type TokenFailureOutcome =
  /** The OnTokenIssuanceStart extension failed (or its configuration is one Entra refuses). */
  | { outcome: 'extension-error'; event: 'token-issuance-start'; errorCode: number; aadsts: 'AADSTS1100001'; detail: string }
  /** A claims mapping policy is assigned to the client's service principal and the client app has no `acceptMappedClaims`. */
  | { outcome: 'token-refused'; aadsts: 'AADSTS50146'; message: string };

/** What the user sees after submitting the sign-in form. */
export type SignInOutcome =
  | ({ outcome: 'signed-in'; migrated: boolean } & SignedInToken)
  | { outcome: 'password-change-required'; state: string }
  | { outcome: 'invalid-credentials'; message: string }
  | { outcome: 'blocked'; title: string; message: string }
  | { outcome: 'extension-error'; errorCode: number; aadsts: 'AADSTS1100001'; detail: string }
  | TokenFailureOutcome;

export type ChangePasswordOutcome =
  | ({ outcome: 'signed-in'; migrated: true } & SignedInToken)
  | { outcome: 'state-invalid' }
  /** `reason` is the policy's code (for scripts); the page words it as a sentence. */
  | { outcome: 'password-rejected'; reason: PasswordPolicyViolation }
  | TokenFailureOutcome;

export interface SignInAttempt {
  username: string;
  password: string;
  /** The client application the user signs in to (a listener applies to the apps it includes); default the emulator's. */
  clientId?: string;
  locale?: string;
  ip?: string;
  /** Put the id token and its claims in a `signed-in` outcome (the page always asks; scripts may). */
  includeIdToken?: boolean;
}

export interface SignInService {
  signIn(attempt: SignInAttempt): Promise<SignInOutcome>;
  /** Completes an UpdatePassword: the state from `password-change-required` is single-use and lives 10 minutes. */
  changePassword(state: string, newPassword: string, options?: { includeIdToken?: boolean }): Promise<ChangePasswordOutcome>;
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
  /**
   * Issues the id token at the end of a successful sign-in, with the OnTokenIssuanceStart event; without it a
   * sign-in ends at `signed-in` with no token.
   */
  tokens?: TokenIssuer;
}

/** A `signed-in` outcome from a token issuance, or the failure that replaces it. */
export function tokenOutcome<M extends boolean>(migrated: M, issued: TokenIssuance, includeIdToken: boolean | undefined): ({ outcome: 'signed-in'; migrated: M } & SignedInToken) | TokenFailureOutcome {
  if (!issued.ok) {
    return issued.reason === 'extension-error'
      ? { outcome: 'extension-error', event: 'token-issuance-start', errorCode: issued.errorCode, aadsts: issued.aadsts, detail: issued.detail }
      : { outcome: 'token-refused', aadsts: issued.aadsts, message: issued.message };
  }
  return { outcome: 'signed-in', migrated, ...(includeIdToken && { idToken: issued.idToken, claims: issued.claims }) };
}

/** Entra's own texts for the outcomes the extension does not word. */
const INCORRECT_PASSWORD = 'Your password is incorrect.';
const BLOCKED = { title: 'Your account is locked', message: 'Contact your administrator.' };
type Client = { ip: string; locale: string; market: string };
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
  const pending = new Map<string, { userId: string; expiresAt: number; clientId?: string; client: Client }>();
  let callouts = 0;

  const markMigrated = (userId: string, flagAttribute: string) => directory.setExtensionAttribute(userId, flagAttribute, false);
  const flagAttributeOf = (resolution: ExtensionResolution) =>
    resolution.kind === 'ready' ? resolution.extension.migrationFlagAttribute : resolution.kind === 'misconfigured' ? resolution.migrationFlagAttribute : undefined;

  const clientOf = (attempt: SignInAttempt): Client => {
    const locale = attempt.locale ?? 'en-us';
    return { ip: attempt.ip ?? '127.0.0.1', locale, market: locale };
  };
  /** The sign-in succeeded: the token is issued, with the OnTokenIssuanceStart event when a listener applies. */
  const signedIn = async <M extends boolean>(userId: string, migrated: M, context: { clientId?: string | undefined; client: Client }, includeIdToken: boolean | undefined) => {
    const user = directory.getUser(userId);
    if (!options.tokens || !user) return { outcome: 'signed-in' as const, migrated };
    return tokenOutcome(migrated, await options.tokens.issue({ user, client: context.client, ...(context.clientId && { clientAppId: context.clientId }) }), includeIdToken);
  };

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
        return signedIn(user.id, false, { clientId: attempt.clientId, client: clientOf(attempt) }, attempt.includeIdToken);
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
          return signedIn(user.id, true, { clientId: attempt.clientId, client: clientOf(attempt) }, attempt.includeIdToken);
        case 'UpdatePassword': {
          sweep(pending, now());
          if (pending.size >= MAX_PENDING_STATES) return { outcome: 'invalid-credentials', message: INCORRECT_PASSWORD };
          const state = randomBytes(24).toString('base64url');
          pending.set(state, { userId: user.id, expiresAt: now() + STATE_LIFETIME_IN_MS, client: clientOf(attempt), ...(attempt.clientId && { clientId: attempt.clientId }) });
          return { outcome: 'password-change-required', state };
        }
        case 'Retry':
          return { outcome: 'invalid-credentials', message: result.message ?? INCORRECT_PASSWORD };
        case 'Block':
          return { outcome: 'blocked', title: result.title ?? BLOCKED.title, message: result.message ?? BLOCKED.message };
      }
    },

    async changePassword(state, newPassword, changeOptions = {}) {
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
      return signedIn(entry.userId, true, entry, changeOptions.includeIdToken);
    },
  };
}

function sweep(pending: Map<string, { expiresAt: number }>, now: number): void {
  for (const [state, entry] of pending) if (entry.expiresAt < now) pending.delete(state);
}
