import type { LedgerMigration } from './migration.js';

/**
 * `status` on a ledger of millions of rows: indexes that answer its questions without reading whole tables.
 * - `jit_decisions (object_id, action, reason)`: whether a pre-created account was ever answered, and how (MigratePassword,
 *   UpdatePassword, Block), from the index alone; the sign-up count (object id `sign-up`) likewise.
 * - `jit_decisions (at, action, reason, latency_ms)` (PostgreSQL: `(at) INCLUDE …`): the answers of the last days,
 *   counted per day and action from the index; `countDecisions` by time range (cutover) uses it too.
 * - SQLite only, `jit_decisions (substr(at, 1, 10), latency_ms)`: a day's latencies in order, so a percentile is one
 *   `ORDER BY latency_ms LIMIT 1 OFFSET k` walking k index entries of that day (SQLite has no percentile function
 *   without an extension); PostgreSQL computes `percentile_disc` over the day's rows.
 * - `reconciliations (checked_at)`: when reconcile last ran.
 */
export const statusIndexes: LedgerMigration = {
  version: 5,
  name: 'status-indexes',
  sqlite: `
    CREATE INDEX jit_decisions_object_action ON jit_decisions (object_id, action, reason);
    CREATE INDEX jit_decisions_at_action ON jit_decisions (at, action, reason, latency_ms);
    CREATE INDEX jit_decisions_day_latency ON jit_decisions (substr(at, 1, 10), latency_ms);
    CREATE INDEX reconciliations_checked_at ON reconciliations (checked_at);`,
  postgres: `
    CREATE INDEX jit_decisions_object_action ON jit_decisions (object_id, action, reason);
    CREATE INDEX jit_decisions_at_action ON jit_decisions (at) INCLUDE (action, reason, latency_ms);
    CREATE INDEX reconciliations_checked_at ON reconciliations (checked_at);`,
};
