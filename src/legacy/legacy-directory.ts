import type { LegacyAccountStatus } from './store.js';

/**
 * The profile a legacy account carries, as far as the store returns it. Every field is optional: a store that
 * keeps no names gives `{}`. Never holds a password or a hash.
 */
export interface LegacyProfile {
  readonly displayName?: string;
  readonly givenName?: string;
  readonly surname?: string;
}

/** One legacy account found by its e-mail address. */
export interface LegacyDirectoryEntry {
  /** The account's id in the legacy system, as text; null when the store returns none. */
  readonly legacyId: string | null;
  readonly status: LegacyAccountStatus;
  readonly profile: LegacyProfile;
}

/** What every look-up receives: the same bounds as a password check (see PasswordCheckOptions). */
export interface DirectoryLookupOptions {
  /** Fires when the answer no longer counts; the look-up rejects with its reason and releases what it holds. */
  readonly abortSignal: AbortSignal;
  /** When the answer must be built by, in ms since the epoch. */
  readonly deadlineAt: number;
}

/**
 * A legacy store asked who owns an e-mail address, without a password: what sign-up needs to tell a collision
 * (the address already belongs to a legacy account) and to prefill or link the profile. The SQL stores
 * (LEGACY_USER_QUERY with `:email`) and the directory store in search mode (LEGACY_LDAP_SEARCH_FILTER with the
 * address as `{username}`) implement it; a web service and a password grant cannot look an account up.
 *
 * Failures reject with a `LegacyStoreError`, an abort with the signal's reason.
 *
 * @example
 *   const entry = await directory.findByEmail('ada@example.com', { abortSignal, deadlineAt });
 *   if (entry !== null) { … entry.legacyId, entry.profile.givenName … }
 */
export interface LegacyDirectory {
  /** `sqlite`, `postgres`, `mysql` or `ldap`: for logs. */
  readonly kind: string;
  /** The one account owning `email`, or null when none does (or, for a directory, when several do). */
  findByEmail(email: string, options: DirectoryLookupOptions): Promise<LegacyDirectoryEntry | null>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}

/** Longest profile value kept, in characters (Entra's displayName allows 256). */
export const MAX_PROFILE_VALUE_LENGTH = 256;

/**
 * A profile value as kept: trimmed, non-empty, at most {@link MAX_PROFILE_VALUE_LENGTH} characters, without
 * control characters; anything else is dropped (undefined), never sent to Entra.
 *
 * @example
 *   profileValue('  Ada ') // 'Ada'
 *   profileValue('')       // undefined
 */
export function profileValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  // eslint-disable-next-line no-control-regex
  if (trimmed === '' || trimmed.length > MAX_PROFILE_VALUE_LENGTH || /[\u0000-\u001f\u007f]/.test(trimmed)) return undefined;
  return trimmed;
}

/** A profile from optional raw values, keeping only those {@link profileValue} accepts. */
export function profileOf(raw: { displayName?: unknown; givenName?: unknown; surname?: unknown }): LegacyProfile {
  const profile: { displayName?: string; givenName?: string; surname?: string } = {};
  const displayName = profileValue(raw.displayName);
  const givenName = profileValue(raw.givenName);
  const surname = profileValue(raw.surname);
  if (displayName !== undefined) profile.displayName = displayName;
  if (givenName !== undefined) profile.givenName = givenName;
  if (surname !== undefined) profile.surname = surname;
  return profile;
}
