import type { LedgerMigration } from './migration.js';

/**
 * Reconcile: per pre-created account, what Graph confirmed (the confirmation, when, the password change seen) and
 * whether the legacy side was told (the mark, when, its last error). A table of its own, so that `premigrate`
 * rewriting an account's phase-1 row never loses what reconcile learnt.
 */
export const reconciliations: LedgerMigration = {
  version: 3,
  name: 'reconciliations',
  sqlite: `
    CREATE TABLE reconciliations (
      legacy_id                TEXT PRIMARY KEY,
      object_id                TEXT NOT NULL,
      confirmation             TEXT NOT NULL,
      confirmed_at             TEXT,
      last_password_change_at  TEXT,
      checked_at               TEXT NOT NULL,
      mark_done_at             TEXT,
      mark_error               TEXT
    );
    CREATE INDEX reconciliations_confirmation ON reconciliations (confirmation);`,
  postgres: `
    CREATE TABLE reconciliations (
      legacy_id                text PRIMARY KEY,
      object_id                text NOT NULL,
      confirmation             text NOT NULL,
      confirmed_at             timestamptz,
      last_password_change_at  timestamptz,
      checked_at               timestamptz NOT NULL,
      mark_done_at             timestamptz,
      mark_error               text
    );
    CREATE INDEX reconciliations_confirmation ON reconciliations (confirmation);`,
};
