import type { LedgerMigration } from './migration.js';

/** The JIT decisions: one row per answer to Entra. */
export const jitDecisions: LedgerMigration = {
  version: 1,
  name: 'jit-decisions',
  sqlite: `
    CREATE TABLE jit_decisions (
      id             INTEGER PRIMARY KEY AUTOINCREMENT,
      at             TEXT    NOT NULL,
      correlation_id TEXT    NOT NULL,
      object_id      TEXT    NOT NULL,
      legacy_id      TEXT,
      action         TEXT    NOT NULL,
      reason         TEXT    NOT NULL,
      latency_ms     REAL    NOT NULL
    );
    CREATE INDEX jit_decisions_object_id ON jit_decisions (object_id);
    CREATE INDEX jit_decisions_correlation_id ON jit_decisions (correlation_id);`,
  postgres: `
    CREATE TABLE jit_decisions (
      id             bigserial        PRIMARY KEY,
      at             timestamptz      NOT NULL,
      correlation_id text             NOT NULL,
      object_id      text             NOT NULL,
      legacy_id      text,
      action         text             NOT NULL,
      reason         text             NOT NULL,
      latency_ms     double precision NOT NULL
    );
    CREATE INDEX jit_decisions_object_id ON jit_decisions (object_id);
    CREATE INDEX jit_decisions_correlation_id ON jit_decisions (correlation_id);`,
};
