import type { LedgerMigration } from './migration.js';

/**
 * `premigrate --sync`: per pre-created account, the fingerprint of the profile last written to Entra and whether the
 * account is enabled there. A table of its own, so that writing a profile never moves `premigration_accounts.updated_at`,
 * which reconcile reads as the account's pre-creation time.
 */
export const accountProfiles: LedgerMigration = {
  version: 4,
  name: 'account-profiles',
  sqlite: `
    CREATE TABLE account_profiles (
      legacy_id    TEXT PRIMARY KEY,
      fingerprint  TEXT    NOT NULL,
      enabled      INTEGER NOT NULL,
      synced_at    TEXT    NOT NULL
    );`,
  postgres: `
    CREATE TABLE account_profiles (
      legacy_id    text        PRIMARY KEY,
      fingerprint  text        NOT NULL,
      enabled      boolean     NOT NULL,
      synced_at    timestamptz NOT NULL
    );`,
};
