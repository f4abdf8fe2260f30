import type { LedgerMigration } from './migration.js';

/** Phase 1: one row per legacy account, its state and its Entra object id. */
export const premigrationAccounts: LedgerMigration = {
  version: 2,
  name: 'premigration-accounts',
  sqlite: `
    CREATE TABLE premigration_accounts (
      legacy_id       TEXT PRIMARY KEY,
      email           TEXT NOT NULL,
      state           TEXT NOT NULL,
      entra_object_id TEXT,
      reason          TEXT,
      updated_at      TEXT NOT NULL
    );
    CREATE INDEX premigration_accounts_state ON premigration_accounts (state);`,
  postgres: `
    CREATE TABLE premigration_accounts (
      legacy_id       text PRIMARY KEY,
      email           text NOT NULL,
      state           text NOT NULL,
      entra_object_id text,
      reason          text,
      updated_at      timestamptz NOT NULL
    );
    CREATE INDEX premigration_accounts_state ON premigration_accounts (state);`,
};
