import type { LedgerMigration } from './migration.js';

/**
 * `status` on a ledger of millions of rows: indexes that answer its questions without reading whole tables.
 * - `jit_decisions (object_id, action, reason)`: whether a pre-created account was ever answered, and how
 *   (MigratePassword, UpdatePassword, Block), from the index alone; the sign-up count (object id `sign-up`) and an
 *   account's latest answer likewise. It begins with `object_id`, so migration 001's index on `object_id` alone
 *   goes: one index fewer for every answer `serve` records.
 * - `jit_decisions (action, at)`: `countDecisions` of one action in a time range (cutover's "migrated on the last day").
 * - SQLite, `jit_decisions (substr(at, 1, 10), latency_ms, action, reason)`: the answers of the last days counted per
 *   UTC day and action from the index alone, and a day's latencies in order, so a percentile is one
 *   `ORDER BY latency_ms LIMIT 1 OFFSET k` walking k entries of that day (SQLite has no percentile function without
 *   an extension). PostgreSQL, `jit_decisions (at) INCLUDE (action, reason, latency_ms)`: the days' rows by an
 *   index-only scan, its `percentile_disc` sorting each day.
 * - `reconciliations (checked_at)`: when reconcile last ran.
 * - PostgreSQL, `premigration_accounts (legacy_id COLLATE "C")`: the keyset pages (stragglers, reconcile, listAccounts)
 *   run in byte order, like SQLite; the primary key, in the database's collation, cannot serve that order, and
 *   without this index every page sorted the whole table (90 s instead of seconds to export the stragglers of
 *   400,000 accounts).
 */
export const statusIndexes: LedgerMigration = {
  version: 5,
  name: 'status-indexes',
  sqlite: `
    CREATE INDEX jit_decisions_object_action ON jit_decisions (object_id, action, reason);
    DROP INDEX jit_decisions_object_id;
    CREATE INDEX jit_decisions_action_at ON jit_decisions (action, at);
    CREATE INDEX jit_decisions_day ON jit_decisions (substr(at, 1, 10), latency_ms, action, reason);
    CREATE INDEX reconciliations_checked_at ON reconciliations (checked_at);`,
  postgres: `
    CREATE INDEX jit_decisions_object_action ON jit_decisions (object_id, action, reason);
    DROP INDEX jit_decisions_object_id;
    CREATE INDEX jit_decisions_action_at ON jit_decisions (action, at);
    CREATE INDEX jit_decisions_at ON jit_decisions (at) INCLUDE (action, reason, latency_ms);
    CREATE INDEX reconciliations_checked_at ON reconciliations (checked_at);
    CREATE INDEX premigration_accounts_legacy_id_bytes ON premigration_accounts (legacy_id COLLATE "C");`,
};
