import type { LedgerMigration } from './migration.js';

/**
 * The marks of the batches `serve`'s write-behind queue has written (`recordDecisions`, `recordEventCalls`): each batch
 * inserts its id here in the same transaction as its rows. PostgreSQL can report a failure after a COMMIT took effect
 * (the connection lost while the answer was on its way); the queue then retries the same batch with the same id, finds
 * its mark and writes nothing, so no row is written twice. A mark is deleted by the same process's next batch, once
 * the batch is known written; marks older than 7 days (a process that stopped with one unsettled) by any batch. The
 * table therefore holds about one row per running `serve`. SQLite ledgers keep it empty: an in-process commit cannot
 * end unknown, so the ids the process wrote are enough there. `IF NOT EXISTS`: applying it again changes nothing.
 */
export const ledgerBatches: LedgerMigration = {
  version: 9,
  name: 'ledger-batches',
  sqlite: `CREATE TABLE IF NOT EXISTS ledger_batches (id TEXT PRIMARY KEY, written_at TEXT NOT NULL);`,
  postgres: `CREATE TABLE IF NOT EXISTS ledger_batches (id text PRIMARY KEY, written_at timestamptz NOT NULL);`,
};
