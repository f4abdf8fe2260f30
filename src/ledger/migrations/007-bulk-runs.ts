import type { LedgerMigration } from './migration.js';

/**
 * Issue 14, the dashboard:
 * - `bulk_runs`: one row per run of premigrate, premigrate --sync, reconcile or cutover (the run rewrites its row as it
 *   goes: insert or replace by id), with its outcome, its summary's counters (JSON, at most 32 numbers), the Graph
 *   requests it sent, the 429s it got and the rate its pacer allowed. `bulk_runs (started_at)`: the newest runs first
 *   without sorting the table.
 * - `jit_decisions.legacy_latency_ms`: how long the legacy password check took inside the answer (null when there was
 *   none: a Retry before any check, a store that was down), so the dashboard can show the legacy store's share of
 *   the latency. Nullable, no default: rows written before it say nothing, rather than a made-up 0.
 */
export const bulkRuns: LedgerMigration = {
  version: 7,
  name: 'bulk-runs',
  sqlite: `
    CREATE TABLE bulk_runs (
      id                 TEXT    PRIMARY KEY,
      command            TEXT    NOT NULL,
      started_at         TEXT    NOT NULL,
      finished_at        TEXT,
      outcome            TEXT    NOT NULL,
      dry_run            INTEGER NOT NULL,
      counts             TEXT    NOT NULL,
      graph_requests     INTEGER NOT NULL,
      throttled          INTEGER NOT NULL,
      budget_per_second  REAL
    );
    CREATE INDEX bulk_runs_started_at ON bulk_runs (started_at, id);
    ALTER TABLE jit_decisions ADD COLUMN legacy_latency_ms REAL;`,
  postgres: `
    CREATE TABLE bulk_runs (
      id                 text             PRIMARY KEY,
      command            text             NOT NULL,
      started_at         timestamptz      NOT NULL,
      finished_at        timestamptz,
      outcome            text             NOT NULL,
      dry_run            boolean          NOT NULL,
      counts             json             NOT NULL,
      graph_requests     bigint           NOT NULL,
      throttled          bigint           NOT NULL,
      budget_per_second  double precision
    );
    CREATE INDEX bulk_runs_started_at ON bulk_runs (started_at, id);
    ALTER TABLE jit_decisions ADD COLUMN legacy_latency_ms double precision;`,
};
