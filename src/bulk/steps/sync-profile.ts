import { createHash } from 'node:crypto';
import type { LegacyRecord } from '../legacy-record.js';

/**
 * The part of a legacy account `premigrate --sync` keeps up to date in Entra: the names, the mail and the e-mail
 * identity (the same address; `premigrate` writes one value to both). Nothing else a create writes — the password,
 * the flag, the extension attributes — is ever changed by a sync.
 */
export interface SyncedProfile {
  displayName: string;
  givenName: string | null;
  surname: string | null;
  /** `mail`, and the `issuerAssignedId` of the tenant's `emailAddress` identity. */
  email: string;
}

/** The synced profile of a record, as `graphUserBody` writes it. */
export function syncedProfileOf(record: LegacyRecord): SyncedProfile {
  return { displayName: record.displayName, givenName: record.givenName, surname: record.surname, email: record.email };
}

/**
 * The fingerprint of a record's synced profile, kept in the ledger (`account_profiles`) instead of the profile:
 * SHA-256 over the fields in a fixed order, base64url (43 characters). Versioned (`v1`), so a later change of the
 * synced fields reads every older fingerprint as changed and compares with Graph once, rather than missing a change.
 *
 * @example
 *   profileFingerprint(record) // 'Xk3…' (43 characters)
 */
export function profileFingerprint(record: LegacyRecord): string {
  const profile = syncedProfileOf(record);
  const text = JSON.stringify(['v1', profile.displayName, profile.givenName, profile.surname, profile.email]);
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * The fingerprint recorded for an account whose profile the run does not know (disabled because it left the
 * source, before any sync recorded it): it matches no record, so when the account comes back its profile is compared
 * with Graph's.
 */
export const UNKNOWN_PROFILE = 'unknown';
