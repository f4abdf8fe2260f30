import type { LedgerMigration } from './migration.js';

/**
 * The security signals `serve` raises (docs/attempt-limits.md): each credential-stuffing signal raised or ended, with
 * the last minute's attempts and wrong passwords it was decided on. A few rows a day at most (one a minute while a
 * campaign lasts); the audit trail of when the tenant was under attack, beside the decisions it caused. `IF NOT
 * EXISTS`: applying it again changes nothing.
 */
export const securitySignals: LedgerMigration = {
  version: 10,
  name: 'security-signals',
  sqlite: `CREATE TABLE IF NOT EXISTS security_signals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('raised', 'ended')),
    attempts INTEGER NOT NULL,
    wrong INTEGER NOT NULL,
    threshold_percent INTEGER NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('observe', 'block'))
  );
  CREATE INDEX IF NOT EXISTS security_signals_at ON security_signals (at);`,
  postgres: `CREATE TABLE IF NOT EXISTS security_signals (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL,
    kind text NOT NULL,
    state text NOT NULL CHECK (state IN ('raised', 'ended')),
    attempts integer NOT NULL,
    wrong integer NOT NULL,
    threshold_percent smallint NOT NULL,
    mode text NOT NULL CHECK (mode IN ('observe', 'block'))
  );
  CREATE INDEX IF NOT EXISTS security_signals_at ON security_signals (at);`,
};
