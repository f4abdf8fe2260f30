import Database from 'better-sqlite3';
import { checkAccountProfile, LEGACY_IDS_PER_QUERY, profileOfRow, type AccountProfile, type AccountProfileRow } from './account-profile.js';
import { accountOfRow, checkAccountState, type AccountRow } from './account-state.js';
import { bulkRunLimitOf, bulkRunOfRow, bulkRunUpsertSql, bulkRunValues, checkBulkRunRecord, LIST_BULK_RUNS_SQL, type BulkRunRow } from './bulk-run.js';
import { checkSecuritySignalRecord, INSERT_SECURITY_SIGNAL_SQL, LIST_SECURITY_SIGNALS_SQL, securitySignalLimitOf, securitySignalOfRow, securitySignalValues, type SecuritySignalRow } from './security-signal.js';
import { checkDecisionRecord, DECISION_INSERT_COLUMNS, decisionCountWhere, decisionValues, limitOf, recordOfRow, type DecisionFilter, type DecisionRecord, type DecisionRow } from './decision-record.js';
import { LedgerError, LedgerErrorCode } from './errors.js';
import { checkEventCallRecord, checkObjectId, EVENT_CALL_INSERT_COLUMNS, eventCallCountsOfRows, eventCallLimitOf, eventCallOfRow, eventCallValues, eventCallWhere, LEGACY_ID_FOR_OBJECT_ID_SQL, type EventCallRow } from './event-call.js';
import type { Ledger } from './ledger.js';
import { checkBatch, DECISION_BATCH_TABLE, EVENT_CALL_BATCH_TABLE, isSqliteRowRefusal, type BatchTable, type LedgerBatch } from './ledger-batch.js';
import { preparePrivateDatabaseFile } from './private-file.js';
import { answersOfRows, checkMark, OBJECT_IDS_PER_QUERY, type AnswerRow } from './reconcile-queries.js';
import {
  accountToReconcileOfRow,
  checkReconciliation,
  reconcileLimitOf,
  reconcileListingSql,
  reconciliationOfRow,
  type Confirmation,
  type ReconcileRow,
} from './reconciliation.js';
import { checkProgressRange, progressMomentsSql, progressOfRows, type ProgressDialect, type ProgressMomentRow } from './progress-history.js';
import { pendingMigrations } from './schema-check.js';
import { accountPageEndSql, checkDayRange, decisionDayOfRow, decisionDaysSql, LAST_RECONCILE_SQL, percentileOffset, SIGN_UP_COUNT_SQL, standingCountSql, standingsOfRows, stragglerLimitOf, stragglerOfRow, stragglerPageSql, type DecisionDayRow, type StragglerRow } from './status-queries.js';

/** Batch ids remembered as written: far more than the write-behind queue ever retries (the batch at its head). */
const REMEMBERED_BATCH_IDS = 1024;

/** SQLite's words for the progress query: times are ISO text (`unixepoch` reads them), parameters named. */
export const SQLITE_PROGRESS_DIALECT: ProgressDialect = {
  epochMs: (column) => `CAST(round(unixepoch(${column}, 'subsec') * 1000) AS INTEGER)`,
  p: (n) => `@p${n}`,
  greatest: 'max',
  wholeDivision: (dividend, divisor) => `CAST((${dividend}) / ${divisor} AS INTEGER)`,
};

/** SQLite keeps times as ISO 8601 text. */
const isoText = (date: Date) => date.toISOString();

/** How long a write waits for another process's lock, in ms. */
const BUSY_TIMEOUT_IN_MS = 2000;

/** The ledger's page cache in KiB; see `openSqliteLedger`. */
const CACHE_SIZE_IN_KIB = 4096;

/**
 * The embedded ledger: a SQLite file in WAL mode (readers never wait for the writer), private to this user: its
 * missing directories are created 0700 and the database with its -wal and -shm files is 0600 (see
 * `preparePrivateDatabaseFile`).
 * better-sqlite3 is synchronous; one indexed insert takes microseconds, which is why it is acceptable here, off
 * the answer's path (the server records after sending).
 *
 * @example
 *   const ledger = openSqliteLedger('./data/ledger.db');
 */
export function openSqliteLedger(path: string): Ledger {
  let db: Database.Database;
  try {
    if (path !== ':memory:') preparePrivateDatabaseFile(path);
    db = new Database(path, { timeout: BUSY_TIMEOUT_IN_MS });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // 4 MiB of page cache (better-sqlite3's default is 16 MiB): the ledger appends and looks up by key, so the
    // pages in use are the B-trees' upper levels and right edges; a premigrate run of millions stays flat in memory.
    db.pragma(`cache_size = -${CACHE_SIZE_IN_KIB}`);
  } catch (error) {
    if (error instanceof LedgerError) throw error;
    throw new LedgerError(LedgerErrorCode.UNAVAILABLE, `The ledger database ${path} cannot be opened.`, { detail: `${path}: ${(error as Error).message}`, cause: error });
  }
  try {
    migrate(db, path);
  } catch (error) {
    db.close();
    throw error;
  }

  const insert = db.prepare(`INSERT INTO jit_decisions (${DECISION_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const upsertBulkRun = db.prepare(bulkRunUpsertSql(() => '?'));
  const insertEventCall = db.prepare(`INSERT INTO event_calls (${EVENT_CALL_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // A batch is written in one transaction that either commits or throws with nothing written: in-process SQLite has
  // no commit whose outcome is unknown, so the ids this process wrote are enough to write a batch once (PostgreSQL,
  // across a network, keeps marks in the database instead; migration 009).
  const writtenBatchIds = new Set<string>();
  // One transaction function for every batch (better-sqlite3 builds its BEGIN/COMMIT wrappers each time one is made).
  const insertRows = db.transaction(<T>(rows: readonly T[], table: BatchTable<T>, insertRow: Database.Statement) => {
    for (const row of rows) insertRow.run(...table.values(row, isoText));
  });
  const writeBatch = <T>(batch: LedgerBatch<T>, table: BatchTable<T>, insertRow: Database.Statement) => {
    checkBatch(batch, table);
    if (batch.rows.length === 0 || writtenBatchIds.has(batch.id)) return;
    open();
    try {
      insertRows.immediate(batch.rows, table, insertRow);
    } catch (error) {
      const code = isSqliteRowRefusal(error) ? LedgerErrorCode.RECORD_INVALID : LedgerErrorCode.UNAVAILABLE;
      throw new LedgerError(code, `The ledger database ${path} could not write a batch of ${batch.rows.length} ${table.table} rows; nothing of it was written.`, { detail: (error as Error).message, cause: error });
    }
    writtenBatchIds.add(batch.id);
    if (writtenBatchIds.size > REMEMBERED_BATCH_IDS) writtenBatchIds.delete(writtenBatchIds.values().next().value!);
  };
  let closed = false;
  const open = () => {
    if (closed) throw new LedgerError(LedgerErrorCode.UNAVAILABLE, 'The ledger is closed.');
    return db;
  };
  const guarded = <T>(work: () => T): T => {
    open();
    try {
      return work();
    } catch (error) {
      if (error instanceof LedgerError) throw error;
      throw new LedgerError(LedgerErrorCode.UNAVAILABLE, `The ledger database ${path} failed.`, { detail: (error as Error).message, cause: error });
    }
  };

  return {
    kind: path === ':memory:' ? 'memory' : 'sqlite',
    async recordDecisions(batch) {
      writeBatch(batch, DECISION_BATCH_TABLE, insert);
    },
    async recordEventCalls(batch) {
      writeBatch(batch, EVENT_CALL_BATCH_TABLE, insertEventCall);
    },
    async recordDecision(record) {
      checkDecisionRecord(record);
      guarded(() => insert.run(...decisionValues(record, (date) => date.toISOString())));
    },
    async listDecisions(filter?: DecisionFilter) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter?.objectId !== undefined) (where.push('object_id = ?'), values.push(filter.objectId));
      if (filter?.correlationId !== undefined) (where.push('correlation_id = ?'), values.push(filter.correlationId));
      const sql = `SELECT * FROM jit_decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
      const rows = guarded(() => db.prepare<unknown[], DecisionRow>(sql).all(...values, limitOf(filter)));
      return rows.map(recordOfRow);
    },
    async countByAction() {
      const rows = guarded(() => db.prepare<[], { action: DecisionRecord['action']; n: number }>('SELECT action, count(*) AS n FROM jit_decisions GROUP BY action').all());
      return Object.fromEntries(rows.map((row) => [row.action, row.n]));
    },
    async countDecisions(filter = {}) {
      const { where, values } = decisionCountWhere(filter, () => '?', (date) => date.toISOString());
      return guarded(() => db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM jit_decisions ${where}`).get(...values))?.n ?? 0;
    },
    async recordAccount(account) {
      checkAccountState(account);
      guarded(() =>
        db
          .prepare('INSERT OR REPLACE INTO premigration_accounts (legacy_id, email, state, entra_object_id, reason, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(account.legacyId, account.email, account.state, account.entraObjectId, account.reason, account.updatedAt.toISOString()),
      );
    },
    async accountState(legacyId) {
      const row = guarded(() => db.prepare<[string], AccountRow>('SELECT * FROM premigration_accounts WHERE legacy_id = ?').get(legacyId));
      return row && accountOfRow(row);
    },
    async listAccounts(filter = {}) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter.state !== undefined) (where.push('+state = ?'), values.push(filter.state)); // `+`: the key's range, not the state index (see reconcileListingSql)
      if (filter.after !== undefined) (where.push('legacy_id > ?'), values.push(filter.after));
      const limit = Math.min(Math.max(1, filter.limit ?? 1000), 10_000);
      const sql = `SELECT * FROM premigration_accounts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY legacy_id LIMIT ?`;
      return guarded(() => db.prepare<unknown[], AccountRow>(sql).all(...values, limit)).map(accountOfRow);
    },
    async countAccounts() {
      const rows = guarded(() => db.prepare<[], { state: AccountRow['state']; n: number }>('SELECT state, count(*) AS n FROM premigration_accounts GROUP BY state').all());
      return Object.fromEntries(rows.map((row) => [row.state, row.n]));
    },
    async listToReconcile(filter = {}) {
      const sql = reconcileListingSql(filter.unmarked === true, () => '?', '', '+p.state');
      return guarded(() => db.prepare<unknown[], ReconcileRow>(sql).all(filter.after ?? '', reconcileLimitOf(filter))).map(accountToReconcileOfRow);
    },
    async migratePasswordAnswers(objectIds) {
      const rows: AnswerRow[] = [];
      for (let i = 0; i < objectIds.length; i += OBJECT_IDS_PER_QUERY) {
        const chunk = objectIds.slice(i, i + OBJECT_IDS_PER_QUERY);
        const sql = `SELECT object_id, at, correlation_id FROM jit_decisions WHERE action = 'MigratePassword' AND object_id IN (${chunk.map(() => '?').join(', ')}) ORDER BY id DESC`;
        rows.push(...guarded(() => db.prepare<unknown[], AnswerRow>(sql).all(...chunk)));
      }
      return answersOfRows(rows);
    },
    async recordReconciliation(record) {
      checkReconciliation(record);
      const iso = (date: Date | null) => date?.toISOString() ?? null;
      guarded(() =>
        db
          .prepare(
            `INSERT INTO reconciliations (legacy_id, object_id, confirmation, confirmed_at, last_password_change_at, checked_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (legacy_id) DO UPDATE SET object_id = excluded.object_id, confirmation = excluded.confirmation, confirmed_at = excluded.confirmed_at,
               last_password_change_at = excluded.last_password_change_at, checked_at = excluded.checked_at`,
          )
          .run(record.legacyId, record.objectId, record.confirmation, iso(record.confirmedAt), iso(record.lastPasswordChangeAt), record.checkedAt.toISOString()),
      );
    },
    async recordMark(legacyId, mark) {
      const { doneAt, error } = checkMark(legacyId, mark);
      guarded(() => db.prepare('UPDATE reconciliations SET mark_done_at = ?, mark_error = ? WHERE legacy_id = ?').run(doneAt?.toISOString() ?? null, error, legacyId));
    },
    async reconciliation(legacyId) {
      const row = guarded(() => db.prepare<[string], ReconcileRow & { confirmation: Confirmation }>('SELECT * FROM reconciliations WHERE legacy_id = ?').get(legacyId));
      return row && reconciliationOfRow(row);
    },
    async countReconciliations() {
      const rows = guarded(() => db.prepare<[], { confirmation: Confirmation; n: number }>('SELECT confirmation, count(*) AS n FROM reconciliations GROUP BY confirmation').all());
      return Object.fromEntries(rows.map((row) => [row.confirmation, row.n]));
    },
    async recordProfile(profile) {
      checkAccountProfile(profile);
      guarded(() =>
        db
          .prepare('INSERT OR REPLACE INTO account_profiles (legacy_id, fingerprint, enabled, synced_at) VALUES (?, ?, ?, ?)')
          .run(profile.legacyId, profile.fingerprint, profile.enabled ? 1 : 0, profile.syncedAt.toISOString()),
      );
    },
    async profiles(legacyIds) {
      const profiles = new Map<string, AccountProfile>();
      for (let i = 0; i < legacyIds.length; i += LEGACY_IDS_PER_QUERY) {
        const chunk = legacyIds.slice(i, i + LEGACY_IDS_PER_QUERY);
        const sql = `SELECT * FROM account_profiles WHERE legacy_id IN (${chunk.map(() => '?').join(', ')})`;
        for (const row of guarded(() => db.prepare<unknown[], AccountProfileRow>(sql).all(...chunk))) profiles.set(row.legacy_id, profileOfRow(row));
      }
      return profiles;
    },
    async countStandings(options) {
      return standingsOfRows(guarded(() => db.prepare<[], { standing: string; n: number }>(standingCountSql(options)).all()));
    },
    async countSignUps() {
      return guarded(() => db.prepare<[], { n: number }>(SIGN_UP_COUNT_SQL).get())?.n ?? 0;
    },
    async lastReconcileAt() {
      const at = guarded(() => db.prepare<[], { at: string | null }>(LAST_RECONCILE_SQL).get())?.at;
      return at ? new Date(at) : null;
    },
    async decisionDays(filter) {
      checkDayRange(filter);
      // The days as the index on (substr(at, 1, 10), latency_ms, action, reason) holds them, so the count reads the index alone.
      const utcDay = 'substr(at, 1, 10)';
      const sql = decisionDaysSql(filter, { day: utcDay, range: `${utcDay} >= ? AND ${utcDay} < ?`, count: (condition) => `sum(${condition})` });
      // SQLite has no percentile without an extension: the day's latencies are read in order from that index,
      // skipping to the percentile's offset.
      const latency = db.prepare<[string, number], { latency_ms: number }>(`SELECT latency_ms FROM jit_decisions WHERE ${utcDay} = ? ORDER BY latency_ms LIMIT 1 OFFSET ?`);
      const percentile = (day: string, fraction: number, n: number) => latency.get(day, percentileOffset(fraction, n))?.latency_ms ?? 0;
      return guarded(() =>
        db
          .prepare<[string, string], DecisionDayRow>(sql)
          .all(filter.since.toISOString().slice(0, 10), filter.until.toISOString().slice(0, 10))
          .map((row) => decisionDayOfRow(row, percentile(row.day, 0.5, Number(row.answers)), percentile(row.day, 0.99, Number(row.answers)))),
      );
    },
    async listStragglers(filter = {}) {
      const after = filter.after ?? '';
      return guarded(() => {
        const end = db.prepare<[string, number], { legacy_id: string }>(accountPageEndSql(() => '?', '')).get(after, stragglerLimitOf(filter) - 1)?.legacy_id;
        const dialect = { p: () => '?', collate: '', state: '+p.state' };
        const rows = end === undefined ? db.prepare<[string], StragglerRow>(stragglerPageSql(dialect, false)).all(after) : db.prepare<[string, string], StragglerRow>(stragglerPageSql(dialect, true)).all(after, end);
        return { stragglers: rows.map(stragglerOfRow), ...(end !== undefined && { next: end }) };
      });
    },
    async recordEventCall(record) {
      checkEventCallRecord(record);
      guarded(() => insertEventCall.run(...eventCallValues(record, (date) => date.toISOString())));
    },
    async listEventCalls(filter = {}) {
      const { where, values } = eventCallWhere({ event: filter.event, correlationId: filter.correlationId }, () => '?', (date) => date.toISOString());
      const sql = `SELECT * FROM event_calls ${where} ORDER BY at DESC, id DESC LIMIT ?`;
      return guarded(() => db.prepare<unknown[], EventCallRow>(sql).all(...values, eventCallLimitOf(filter))).map(eventCallOfRow);
    },
    async countEventCalls(filter = {}) {
      const { where, values } = eventCallWhere({ event: filter.event, since: filter.since, until: filter.until }, () => '?', (date) => date.toISOString());
      const sql = `SELECT event, action, count(*) AS n FROM event_calls ${where} GROUP BY event, action`;
      return eventCallCountsOfRows(guarded(() => db.prepare<unknown[], { event: EventCallRow['event']; action: string; n: number }>(sql).all(...values)));
    },
    async legacyIdForObjectId(objectId) {
      checkObjectId(objectId);
      return guarded(() => db.prepare<[string], { legacy_id: string }>(LEGACY_ID_FOR_OBJECT_ID_SQL('?')).get(objectId))?.legacy_id ?? null;
    },
    async recordBulkRun(run) {
      checkBulkRunRecord(run);
      guarded(() => upsertBulkRun.run(...bulkRunValues(run, (date) => date.toISOString(), (flag) => (flag ? 1 : 0))));
    },
    async listBulkRuns(filter) {
      return guarded(() => db.prepare<[number], BulkRunRow>(LIST_BULK_RUNS_SQL('?')).all(bulkRunLimitOf(filter))).map(bulkRunOfRow);
    },
    async recordSecuritySignal(record) {
      checkSecuritySignalRecord(record);
      guarded(() => db.prepare(INSERT_SECURITY_SIGNAL_SQL(() => '?')).run(...securitySignalValues(record, (date) => date.toISOString())));
    },
    async listSecuritySignals(filter) {
      return guarded(() => db.prepare<[number], SecuritySignalRow>(LIST_SECURITY_SIGNALS_SQL('?')).all(securitySignalLimitOf(filter))).map(securitySignalOfRow);
    },
    async progressHistory(filter) {
      const buckets = checkProgressRange(filter);
      const sql = progressMomentsSql(SQLITE_PROGRESS_DIALECT);
      const rows = guarded(() => db.prepare<[{ p1: number; p2: number; p3: number }], ProgressMomentRow>(sql).all({ p1: filter.since.getTime(), p2: filter.until.getTime(), p3: filter.bucketInMs }));
      return progressOfRows(filter, buckets, rows);
    },
    async ping() {
      guarded(() => db.prepare('SELECT 1').get());
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

function migrate(db: Database.Database, where: string): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  db.transaction(() => {
    const applied = db.prepare<[], { version: number | null }>('SELECT max(version) AS version FROM schema_migrations').get()?.version ?? 0;
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of pendingMigrations(applied, where)) {
      db.exec(migration.sqlite);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
  }).immediate();
}

