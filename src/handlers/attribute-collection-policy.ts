import type { Clock } from '../common/clock.js';
import { beforeDeadline } from './before-deadline.js';
import type { EventOutcome } from './event-outcome.js';
import { EntraMigrateError } from '../common/errors.js';
import type { AttributeValue } from '../events/attribute-collection-start/sign-up-info.js';
import { signUpMessagesFor } from '../jit/messages.js';
import type { JitMessageCatalogue } from '../jit/index.js';
import type { LegacyDirectory, LegacyDirectoryEntry, LegacyProfile } from '../legacy/legacy-directory.js';

/** What a sign-up whose e-mail belongs to a legacy account gets (SIGNUP_COLLISION). */
export const SIGN_UP_COLLISION_POLICIES = ['block', 'link', 'off'] as const;
export type SignUpCollisionPolicy = (typeof SIGN_UP_COLLISION_POLICIES)[number];

/** A legacy account that must exist in Entra before the block page may tell its owner to sign in. */
export interface LegacyAccountToEnsure {
  readonly legacyId: string | null;
  readonly email: string;
  readonly profile: LegacyProfile;
  /** False when the legacy account is blocked (created disabled, as premigrate creates it); absent when it is not. */
  readonly enabled?: boolean;
}

/**
 * The Entra side of the `block` policy: makes sure the legacy account exists in Entra (looked up by its e-mail
 * identity, else created as `premigrate` creates it — random password, the migration flag true, a ledger row), so
 * that "sign in with your existing password" is true. `failed` covers a create refused or not finished by
 * `deadlineAt`; the account is then left `pending` in the ledger. Must never reject.
 */
export interface EntraAccounts {
  ensureExists(account: LegacyAccountToEnsure, options: { deadlineAt: number; abortSignal: AbortSignal }): Promise<'exists' | 'created' | 'failed'>;
}

/** What both attribute collection handlers need. */
export interface AttributeCollectionDeps {
  readonly tenantId: string;
  /** The legacy store asked by e-mail; null when it cannot be (then collision must be `off` and prefill false). */
  readonly directory: LegacyDirectory | null;
  readonly collision: SignUpCollisionPolicy;
  /** SIGNUP_PREFILL: prefill the page from the legacy profile when no collision policy stands in the way. */
  readonly prefill: boolean;
  /** LEGACY_ID_ATTRIBUTE: the attribute (`extension_{appId}_legacyId`) that receives the legacy id under `link`. */
  readonly legacyIdAttribute: string | undefined;
  /** Creates a colliding legacy account in Entra before the block page; absent without Graph settings. */
  readonly entraAccounts?: EntraAccounts | undefined;
  readonly messages: JitMessageCatalogue;
  readonly clock: Clock;
  /** From arrival to answer, in ms (RESPONSE_DEADLINE_MS). */
  readonly responseDeadlineInMs: number;
  readonly sendMarginInMs?: () => number;
}

/** Why a sign-up got its answer, as a stable token for the request log line and the ledger. */
export type SignUpReason =
  /** Nothing to look up: SIGNUP_COLLISION=off without prefill, or `link` at start without prefill. */
  | 'sign-up-nothing-to-check'
  /** No verified e-mail identity (a social sign-up), or two that disagree: nothing is matched. */
  | 'sign-up-no-email'
  | 'sign-up-no-legacy-account'
  /** A legacy account owns the address, and the policy lets the sign-up go on (`off`, or `link` at start). */
  | 'sign-up-collision-allowed'
  | 'sign-up-prefilled'
  /** `link` at submit: the legacy id and profile were carried into the new account (ledger: modifyAttributeValues). */
  | 'migrated-by-sign-up'
  /** `link` at submit, but the page collects none of the attributes to carry: nothing could be written. */
  | 'sign-up-link-not-collected'
  | 'sign-up-collision-blocked'
  | 'sign-up-collision-blocked-try-later';

/** What a sign-up callout was answered (an {@link EventOutcome} of one of the two events, with its reason). */
export interface SignUpOutcome extends EventOutcome {
  event: 'OnAttributeCollectionStart' | 'OnAttributeCollectionSubmit';
  reason: SignUpReason;
}

/** What the legacy store said about the signed-up address. */
export type CollisionLookup =
  | { kind: 'none' }
  | { kind: 'found'; entry: LegacyDirectoryEntry }
  | { kind: 'failed'; errorCode: string; errorDetail: string | null };

/**
 * Asks the legacy store who owns `email`, within the deadline. A failure or the deadline is `failed` with its code:
 * nobody can say whether the address collides.
 */
export function lookUpCollision(email: string, directory: LegacyDirectory, deadlineAt: number, clock: Clock): Promise<CollisionLookup> {
  return beforeDeadline<CollisionLookup>(
    async (abortSignal) => {
      try {
        const entry = await directory.findByEmail(email, { abortSignal, deadlineAt });
        return entry === null ? { kind: 'none' } : { kind: 'found', entry };
      } catch (error) {
        return { kind: 'failed', errorCode: codeOf(error), errorDetail: error instanceof EntraMigrateError ? error.publicMessage.slice(0, 300) : null };
      }
    },
    () => ({ kind: 'failed', errorCode: 'DEADLINE_EXCEEDED', errorDetail: null }),
    deadlineAt,
    clock,
  );
}

/** A block page: its texts in the caller's language, and why. */
export interface CollisionBlock {
  title: string;
  message: string;
  reason: 'sign-up-collision-blocked' | 'sign-up-collision-blocked-try-later';
  errorCode: string | null;
}

/**
 * The `block` policy's page for a colliding account: the account is first made sure to exist in Entra (when
 * `entraAccounts` is configured), within the deadline; "sign in with your existing password" when it does,
 * "try again in a few minutes" when that failed or would be late.
 */
export async function collisionBlock(
  email: string,
  entry: LegacyDirectoryEntry,
  deps: AttributeCollectionDeps,
  deadlineAt: number,
  locale: string | null | undefined,
): Promise<CollisionBlock> {
  const texts = signUpMessagesFor(deps.messages, locale);
  if (deps.entraAccounts !== undefined) {
    const entraAccounts = deps.entraAccounts;
    const ensured = await beforeDeadline(
      (abortSignal) => entraAccounts.ensureExists(accountToEnsure(email, entry), { deadlineAt, abortSignal }).catch(() => 'failed' as const),
      () => 'late' as const,
      deadlineAt,
      deps.clock,
    );
    if (ensured === 'failed' || ensured === 'late') {
      return { ...texts.tryLater, reason: 'sign-up-collision-blocked-try-later', errorCode: ensured === 'late' ? 'DEADLINE_EXCEEDED' : 'ENTRA_CREATE_FAILED' };
    }
  }
  return { ...texts.exists, reason: 'sign-up-collision-blocked', errorCode: null };
}

/** The legacy account the block page speaks of, as `EntraAccounts` makes sure of it. */
function accountToEnsure(email: string, entry: LegacyDirectoryEntry): LegacyAccountToEnsure {
  return { legacyId: entry.legacyId, email, profile: entry.profile, ...(entry.status === 'blocked' && { enabled: false }) };
}

/** The "try again in a few minutes" page, for a lookup that failed. */
export function tryLaterBlock(deps: AttributeCollectionDeps, locale: string | null | undefined, errorCode: string): CollisionBlock {
  return { ...signUpMessagesFor(deps.messages, locale).tryLater, reason: 'sign-up-collision-blocked-try-later', errorCode };
}

/**
 * The values a legacy account gives the page, by Entra attribute name: the profile, and the legacy id (as a
 * string) under LEGACY_ID_ATTRIBUTE when one is set. The caller keeps only what the page collects.
 *
 * @example
 *   profileAttributes({ legacyId: '42', status: 'active', profile: { givenName: 'Ada' } }, 'extension_abc_legacyId')
 *   // { givenName: 'Ada', extension_abc_legacyId: '42' }
 */
export function profileAttributes(entry: LegacyDirectoryEntry, legacyIdAttribute: string | undefined): Record<string, AttributeValue> {
  const values: Record<string, AttributeValue> = {};
  if (entry.profile.displayName !== undefined) values.displayName = entry.profile.displayName;
  if (entry.profile.givenName !== undefined) values.givenName = entry.profile.givenName;
  if (entry.profile.surname !== undefined) values.surname = entry.profile.surname;
  if (legacyIdAttribute !== undefined && entry.legacyId !== null) values[legacyIdAttribute] = entry.legacyId;
  return values;
}

function codeOf(error: unknown): string {
  return error instanceof EntraMigrateError ? error.code : 'UNEXPECTED_ERROR';
}
