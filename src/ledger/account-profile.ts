import { MAX_FIELD_LENGTH } from './decision-record.js';
import { LedgerError, LedgerErrorCode } from './errors.js';

/**
 * What was last written to Entra for one pre-created account (`premigrate`, `premigrate --sync`): a fingerprint of
 * its mapped profile, so that a later sync PATCHes only the accounts whose legacy profile changed, and whether the
 * account is enabled, so that an account blocked or deleted in the legacy source is disabled once and re-enabled
 * when it comes back.
 */
export interface AccountProfile {
  legacyId: string;
  /** A digest of the mapped profile as written (never the profile itself: the ledger holds no personal data it does not need). */
  fingerprint: string;
  enabled: boolean;
  syncedAt: Date;
}

/** A fingerprint as kept: a hex or base64url digest, at most 128 characters. */
const FINGERPRINT = /^[A-Za-z0-9_-]{1,128}$/;
/** Legacy ids per `IN (…)` query: well under SQLite's 32,766 variables. */
export const LEGACY_IDS_PER_QUERY = 500;

export function checkAccountProfile(profile: AccountProfile): void {
  const problems: string[] = [];
  if (typeof profile.legacyId !== 'string' || profile.legacyId.length === 0 || profile.legacyId.length > MAX_FIELD_LENGTH || profile.legacyId.includes('\0')) {
    problems.push(`legacyId must be 1–${MAX_FIELD_LENGTH} characters`);
  }
  if (typeof profile.fingerprint !== 'string' || !FINGERPRINT.test(profile.fingerprint)) problems.push('fingerprint must be a hex or base64url digest of at most 128 characters');
  if (typeof profile.enabled !== 'boolean') problems.push('enabled must be true or false');
  if (!(profile.syncedAt instanceof Date) || Number.isNaN(profile.syncedAt.getTime())) problems.push('syncedAt must be a valid date');
  if (problems.length > 0) throw new LedgerError(LedgerErrorCode.RECORD_INVALID, `An account profile was refused: ${problems.join('; ')}.`);
}

/** An `account_profiles` row as the drivers return it (SQLite: enabled 0/1 and ISO text; PostgreSQL: boolean and Date). */
export interface AccountProfileRow {
  legacy_id: string;
  fingerprint: string;
  enabled: number | boolean;
  synced_at: string | Date;
}

export function profileOfRow(row: AccountProfileRow): AccountProfile {
  return { legacyId: row.legacy_id, fingerprint: row.fingerprint, enabled: row.enabled === true || row.enabled === 1, syncedAt: new Date(row.synced_at) };
}

