import pg from 'pg';
import { checkAccountProfile, LEGACY_IDS_PER_QUERY, profileOfRow, type AccountProfile, type AccountProfileRow } from './account-profile.js';
import { accountOfRow, checkAccountState, type AccountRow } from './account-state.js';
import { bulkRunLimitOf, bulkRunOfRow, bulkRunUpsertSql, bulkRunValues, checkBulkRunRecord, LIST_BULK_RUNS_SQL, type BulkRunRow } from './bulk-run.js';
import { checkSecuritySignalRecord, INSERT_SECURITY_SIGNAL_SQL, LIST_SECURITY_SIGNALS_SQL, securitySignalLimitOf, securitySignalOfRow, securitySignalValues, type SecuritySignalRow } from './security-signal.js';
import { checkDecisionRecord, DECISION_INSERT_COLUMNS, decisionCountWhere, decisionValues, limitOf, recordOfRow, type DecisionFilter, type DecisionRecord, type DecisionRow } from './decision-record.js';
import { LedgerError, LedgerErrorCode } from './errors.js';
import { checkEventCallRecord, checkObjectId, EVENT_CALL_INSERT_COLUMNS, eventCallCountsOfRows, eventCallLimitOf, eventCallOfRow, eventCallValues, eventCallWhere, LEGACY_ID_FOR_OBJECT_ID_SQL, type EventCallRow } from './event-call.js';
import type { Ledger } from './ledger.js';
import { checkBatch, DECISION_BATCH_TABLE, EVENT_CALL_BATCH_TABLE, isPostgresRowRefusal, postgresBatchColumns, postgresBatchSql, type BatchTable, type LedgerBatch } from './ledger-batch.js';
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
import { checkProgressRange, progressMomentsSql, progressOfRows, type ProgressMomentRow } from './progress-history.js';
import { pendingMigrations } from './schema-check.js';
import { accountPageEndSql, checkDayRange, decisionDayOfRow, decisionDaysSql, LAST_RECONCILE_SQL, SIGN_UP_COUNT_SQL, standingCountSql, standingsOfRows, stragglerLimitOf, stragglerOfRow, stragglerPageSql, type DecisionDayRow, type StragglerRow } from './status-queries.js';

/** The statements that write a batch (ledger-batch.ts), one per table. */
const DECISION_BATCH_SQL = postgresBatchSql(DECISION_BATCH_TABLE);
const EVENT_CALL_BATCH_SQL = postgresBatchSql(EVENT_CALL_BATCH_TABLE);

export interface PostgresLedgerLocation {
  url: string;
  /** The schema holding the ledger's tables (created when missing); default: the server's search_path. */
  schema: string | undefined;
  /** The URL as it may be shown (password redacted). */
  shown: string;
}

/** Any fixed number: every entra-migrate process migrating a database takes the same transaction-level lock. */
const MIGRATION_LOCK_KEY = 0x656d6c67; // "emlg"
/** Time limits of the PostgreSQL ledger; the defaults suit production, tests shorten them. */
export interface PostgresLedgerOptions {
  /** How long pg waits for any one statement's answer. Default {@link DEFAULT_QUERY_TIMEOUT_IN_MS}. */
  queryTimeoutInMs?: number;
  /** How long `ping()` (the readiness probe) waits for its answer. Default {@link DEFAULT_PING_TIMEOUT_IN_MS}. */
  pingTimeoutInMs?: number;
}

/** Connections kept: the ledger writes one small row per sign-in. */
const POOL_SIZE = 4;
/** 5 s: how long a call waits for a pooled connection, or for a new one to connect. */
const CONNECT_TIMEOUT_IN_MS = 5000;
/**
 * 15 s: a ledger statement is a one-row write or a page of at most 10,000 rows, milliseconds on a healthy server;
 * this only ends a wait that will never be answered (a stalled connection), whose client is then destroyed.
 */
const DEFAULT_QUERY_TIMEOUT_IN_MS = 15_000;
/**
 * 120 s: `status`'s counts read every pre-created account and every answer of the days shown (seconds on a million
 * rows); a ledger ten times that size must not fail them at the one-row statements' limit.
 */
const STATUS_QUERY_TIMEOUT_IN_MS = 120_000;
/** 2 s: a readiness probe must answer quickly or report the ledger not ready. */
const DEFAULT_PING_TIMEOUT_IN_MS = 2000;
/** 10 s: idle pooled connections start TCP keep-alive probes after this, so a vanished peer is noticed and dropped. */
const KEEP_ALIVE_INITIAL_DELAY_IN_MS = 10_000;

/**
 * The production ledger in PostgreSQL. Opening it applies pending migrations under an advisory lock, so several
 * instances starting together migrate once.
 *
 * Every statement has pg's own `query_timeout`; a client whose statement timed out or failed is destroyed by the
 * pool rather than reused (pg-pool's `query` releases it with the error), so a stalled connection (TCP up, no
 * answer) fails one call with `LEDGER_UNAVAILABLE` and the next call connects afresh.
 *
 * @example
 *   const ledger = await openPostgresLedger({ url: 'postgres://app@db/migration', schema: 'entra_migrate', shown: '…' });
 */
export async function openPostgresLedger(location: PostgresLedgerLocation, options: PostgresLedgerOptions = {}): Promise<Ledger> {
  const pingTimeoutInMs = options.pingTimeoutInMs ?? DEFAULT_PING_TIMEOUT_IN_MS;
  const pool = new pg.Pool({
    connectionString: location.url,
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_IN_MS,
    query_timeout: options.queryTimeoutInMs ?? DEFAULT_QUERY_TIMEOUT_IN_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEP_ALIVE_INITIAL_DELAY_IN_MS,
    application_name: 'entra-migrate (ledger)',
    ...(location.schema && { options: `-c search_path=${location.schema}` }),
  });
  pool.on('error', () => undefined); // a broken idle connection is replaced on next use
  const failed = (error: unknown, doing: string) =>
    error instanceof LedgerError
      ? error
      : new LedgerError(LedgerErrorCode.UNAVAILABLE, `The ledger at ${location.shown} failed while ${doing}.`, {
          detail: `${doing}: ${(error as Error).message}`,
          cause: error,
        });

  try {
    await migrate(pool, location);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw failed(error, 'applying its schema migrations');
  }

  let closing: Promise<void> | undefined;
  const query = async <R extends pg.QueryResultRow>(sql: string, values: unknown[], doing: string, timeoutInMs?: number) => {
    if (closing) throw new LedgerError(LedgerErrorCode.UNAVAILABLE, 'The ledger is closed.');
    try {
      return await pool.query<R>({ text: sql, values, ...(timeoutInMs !== undefined && { query_timeout: timeoutInMs }) });
    } catch (error) {
      throw failed(error, doing);
    }
  };

  // Batches this process knows are written; the next batch deletes their marks (migration 009).
  let settledBatchIds: readonly string[] = [];
  const writeBatch = async <T>(batch: LedgerBatch<T>, table: BatchTable<T>, sql: string, doing: string) => {
    checkBatch(batch, table);
    if (batch.rows.length === 0) return;
    if (closing) throw new LedgerError(LedgerErrorCode.UNAVAILABLE, 'The ledger is closed.');
    const settling = settledBatchIds.filter((id) => id !== batch.id); // a batch written again keeps its mark
    try {
      await pool.query({ text: sql, values: [batch.id, settling, ...postgresBatchColumns(batch.rows, table)] });
    } catch (error) {
      if (!isPostgresRowRefusal(error)) throw failed(error, doing);
      throw new LedgerError(LedgerErrorCode.RECORD_INVALID, `The ledger at ${location.shown} refused a batch of ${batch.rows.length} rows while ${doing}; nothing of it was written.`, {
        detail: `${doing}: ${(error as { code?: string }).code} ${(error as Error).message}`,
        cause: error,
      });
    }
    settledBatchIds = [...settledBatchIds.filter((id) => !settling.includes(id)), batch.id];
  };

  return {
    kind: 'postgres',
    recordDecisions: (batch) => writeBatch(batch, DECISION_BATCH_TABLE, DECISION_BATCH_SQL, 'recording a batch of decisions'),
    recordEventCalls: (batch) => writeBatch(batch, EVENT_CALL_BATCH_TABLE, EVENT_CALL_BATCH_SQL, 'recording a batch of event calls'),
    async recordDecision(record) {
      checkDecisionRecord(record);
      await query(`INSERT INTO jit_decisions (${DECISION_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, decisionValues(record, (date) => date), 'recording a decision');
    },
    async listDecisions(filter?: DecisionFilter) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter?.objectId !== undefined) where.push(`object_id = $${values.push(filter.objectId)}`);
      if (filter?.correlationId !== undefined) where.push(`correlation_id = $${values.push(filter.correlationId)}`);
      const limit = `$${values.push(limitOf(filter))}`;
      const sql = `SELECT * FROM jit_decisions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
      const result = await query<DecisionRow>(sql, values, 'listing decisions');
      return result.rows.map(recordOfRow);
    },
    async countByAction() {
      const result = await query<{ action: DecisionRecord['action']; n: string }>('SELECT action, count(*) AS n FROM jit_decisions GROUP BY action', [], 'counting decisions');
      return Object.fromEntries(result.rows.map((row) => [row.action, Number(row.n)]));
    },
    async countDecisions(filter = {}) {
      let n = 0;
      const { where, values } = decisionCountWhere(filter, () => `$${++n}`, (date) => date);
      const result = await query<{ n: string }>(`SELECT count(*) AS n FROM jit_decisions ${where}`, values, 'counting decisions');
      return Number(result.rows[0]?.n ?? 0);
    },
    async recordAccount(account) {
      checkAccountState(account);
      await query(
        `INSERT INTO premigration_accounts (legacy_id, email, state, entra_object_id, reason, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (legacy_id) DO UPDATE SET email = excluded.email, state = excluded.state, entra_object_id = excluded.entra_object_id, reason = excluded.reason, updated_at = excluded.updated_at`,
        [account.legacyId, account.email, account.state, account.entraObjectId, account.reason, account.updatedAt],
        'recording an account',
      );
    },
    async accountState(legacyId) {
      const result = await query<AccountRow>('SELECT * FROM premigration_accounts WHERE legacy_id = $1', [legacyId], 'reading an account');
      return result.rows[0] && accountOfRow(result.rows[0]);
    },
    async listAccounts(filter = {}) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (filter.state !== undefined) where.push(`state = $${values.push(filter.state)}`);
      if (filter.after !== undefined) where.push(`legacy_id COLLATE "C" > $${values.push(filter.after)}`);
      const limit = `$${values.push(Math.min(Math.max(1, filter.limit ?? 1000), 10_000))}`;
      const sql = `SELECT * FROM premigration_accounts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY legacy_id COLLATE "C" LIMIT ${limit}`;
      return (await query<AccountRow>(sql, values, 'listing accounts')).rows.map(accountOfRow);
    },
    async countAccounts() {
      const result = await query<{ state: AccountRow['state']; n: string }>('SELECT state, count(*) AS n FROM premigration_accounts GROUP BY state', [], 'counting accounts');
      return Object.fromEntries(result.rows.map((row) => [row.state, Number(row.n)]));
    },
    async listToReconcile(filter = {}) {
      const sql = reconcileListingSql(filter.unmarked === true, (n) => `$${n}`, ' COLLATE "C"');
      return (await query<ReconcileRow>(sql, [filter.after ?? '', reconcileLimitOf(filter)], 'listing accounts to reconcile')).rows.map(accountToReconcileOfRow);
    },
    async migratePasswordAnswers(objectIds) {
      const rows: AnswerRow[] = [];
      for (let i = 0; i < objectIds.length; i += OBJECT_IDS_PER_QUERY) {
        const chunk = objectIds.slice(i, i + OBJECT_IDS_PER_QUERY);
        const sql = `SELECT object_id, at, correlation_id FROM jit_decisions WHERE action = 'MigratePassword' AND object_id = ANY($1::text[]) ORDER BY id DESC`;
        rows.push(...(await query<AnswerRow>(sql, [chunk], 'reading MigratePassword answers')).rows);
      }
      return answersOfRows(rows);
    },
    async recordReconciliation(record) {
      checkReconciliation(record);
      await query(
        `INSERT INTO reconciliations (legacy_id, object_id, confirmation, confirmed_at, last_password_change_at, checked_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (legacy_id) DO UPDATE SET object_id = excluded.object_id, confirmation = excluded.confirmation, confirmed_at = excluded.confirmed_at,
           last_password_change_at = excluded.last_password_change_at, checked_at = excluded.checked_at`,
        [record.legacyId, record.objectId, record.confirmation, record.confirmedAt, record.lastPasswordChangeAt, record.checkedAt],
        'recording a reconciliation',
      );
    },
    async recordMark(legacyId, mark) {
      const { doneAt, error } = checkMark(legacyId, mark);
      await query('UPDATE reconciliations SET mark_done_at = $1, mark_error = $2 WHERE legacy_id = $3', [doneAt, error, legacyId], 'recording a mark');
    },
    async reconciliation(legacyId) {
      const result = await query<ReconcileRow & { confirmation: Confirmation }>('SELECT * FROM reconciliations WHERE legacy_id = $1', [legacyId], 'reading a reconciliation');
      return result.rows[0] && reconciliationOfRow(result.rows[0]);
    },
    async countReconciliations() {
      const result = await query<{ confirmation: Confirmation; n: string }>('SELECT confirmation, count(*) AS n FROM reconciliations GROUP BY confirmation', [], 'counting reconciliations');
      return Object.fromEntries(result.rows.map((row) => [row.confirmation, Number(row.n)]));
    },
    async recordProfile(profile) {
      checkAccountProfile(profile);
      await query(
        `INSERT INTO account_profiles (legacy_id, fingerprint, enabled, synced_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (legacy_id) DO UPDATE SET fingerprint = excluded.fingerprint, enabled = excluded.enabled, synced_at = excluded.synced_at`,
        [profile.legacyId, profile.fingerprint, profile.enabled, profile.syncedAt],
        'recording an account profile',
      );
    },
    async profiles(legacyIds) {
      const profiles = new Map<string, AccountProfile>();
      for (let i = 0; i < legacyIds.length; i += LEGACY_IDS_PER_QUERY) {
        const chunk = legacyIds.slice(i, i + LEGACY_IDS_PER_QUERY);
        const result = await query<AccountProfileRow>('SELECT * FROM account_profiles WHERE legacy_id = ANY($1::text[])', [chunk], 'reading account profiles');
        for (const row of result.rows) profiles.set(row.legacy_id, profileOfRow(row));
      }
      return profiles;
    },
    async countStandings(options) {
      return standingsOfRows((await query<{ standing: string; n: string }>(standingCountSql(options), [], 'counting accounts per standing', STATUS_QUERY_TIMEOUT_IN_MS)).rows);
    },
    async countSignUps() {
      return Number((await query<{ n: string }>(SIGN_UP_COUNT_SQL, [], 'counting sign-ups')).rows[0]?.n ?? 0);
    },
    async lastReconcileAt() {
      return (await query<{ at: Date | null }>(LAST_RECONCILE_SQL, [], 'reading the last reconcile')).rows[0]?.at ?? null;
    },
    async decisionDays(filter) {
      checkDayRange(filter);
      const sql = decisionDaysSql(filter, {
        day: "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
        range: 'at >= $1 AND at < $2',
        count: (condition) => `count(*) FILTER (WHERE ${condition})`,
        extra: ', percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99',
      });
      const result = await query<DecisionDayRow>(sql, [filter.since, filter.until], 'counting answers per day', STATUS_QUERY_TIMEOUT_IN_MS);
      return result.rows.map((row) => decisionDayOfRow(row, Number(row.p50 ?? 0), Number(row.p99 ?? 0)));
    },
    async listStragglers(filter = {}) {
      const after = filter.after ?? '';
      const collate = ' COLLATE "C"';
      const end = (await query<{ legacy_id: string }>(accountPageEndSql((n) => `$${n}`, collate), [after, stragglerLimitOf(filter) - 1], 'listing stragglers')).rows[0]?.legacy_id;
      const sql = stragglerPageSql({ p: (n) => `$${n}`, collate, state: 'p.state' }, end !== undefined);
      const rows = (await query<StragglerRow>(sql, end === undefined ? [after] : [after, end], 'listing stragglers')).rows;
      return { stragglers: rows.map(stragglerOfRow), ...(end !== undefined && { next: end }) };
    },
    async recordEventCall(record) {
      checkEventCallRecord(record);
      await query(`INSERT INTO event_calls (${EVENT_CALL_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, eventCallValues(record, (date) => date), 'recording an event call');
    },
    async listEventCalls(filter = {}) {
      let n = 0;
      const { where, values } = eventCallWhere({ event: filter.event, correlationId: filter.correlationId }, () => `$${++n}`, (date) => date);
      const sql = `SELECT * FROM event_calls ${where} ORDER BY at DESC, id DESC LIMIT $${++n}`;
      return (await query<EventCallRow>(sql, [...values, eventCallLimitOf(filter)], 'listing event calls')).rows.map(eventCallOfRow);
    },
    async countEventCalls(filter = {}) {
      let n = 0;
      const { where, values } = eventCallWhere({ event: filter.event, since: filter.since, until: filter.until }, () => `$${++n}`, (date) => date);
      const sql = `SELECT event, action, count(*) AS n FROM event_calls ${where} GROUP BY event, action`;
      return eventCallCountsOfRows((await query<{ event: EventCallRow['event']; action: string; n: string }>(sql, values, 'counting event calls', STATUS_QUERY_TIMEOUT_IN_MS)).rows);
    },
    async legacyIdForObjectId(objectId) {
      checkObjectId(objectId);
      return (await query<{ legacy_id: string }>(LEGACY_ID_FOR_OBJECT_ID_SQL('$1'), [objectId], 'reading the legacy id of an object id')).rows[0]?.legacy_id ?? null;
    },
    async recordBulkRun(run) {
      checkBulkRunRecord(run);
      await query(bulkRunUpsertSql((n) => `$${n}`), bulkRunValues(run, (date) => date, (flag) => flag), 'recording a bulk run');
    },
    async listBulkRuns(filter) {
      return (await query<BulkRunRow>(LIST_BULK_RUNS_SQL('$1'), [bulkRunLimitOf(filter)], 'listing bulk runs')).rows.map(bulkRunOfRow);
    },
    async recordSecuritySignal(record) {
      checkSecuritySignalRecord(record);
      await query(INSERT_SECURITY_SIGNAL_SQL((n) => `$${n}`), securitySignalValues(record, (date) => date), 'recording a security signal');
    },
    async listSecuritySignals(filter) {
      return (await query<SecuritySignalRow>(LIST_SECURITY_SIGNALS_SQL('$1'), [securitySignalLimitOf(filter)], 'listing security signals')).rows.map(securitySignalOfRow);
    },
    async progressHistory(filter) {
      const buckets = checkProgressRange(filter);
      const sql = progressMomentsSql({
        epochMs: (column) => `(date_part('epoch', ${column}) * 1000)::bigint`, // double precision: faster than extract's numeric, exact to the ms once rounded
        p: (n) => `$${n}::bigint`,
        greatest: 'greatest',
        wholeDivision: (dividend, divisor) => `((${dividend}) / ${divisor})`,
      });
      const result = await query<ProgressMomentRow>(sql, [filter.since.getTime(), filter.until.getTime(), filter.bucketInMs], 'reading the progress over time', STATUS_QUERY_TIMEOUT_IN_MS);
      return progressOfRows(filter, buckets, result.rows);
    },
    async ping() {
      await query('SELECT 1', [], 'answering a ping', pingTimeoutInMs);
    },
    close() {
      closing ??= pool.end().catch(() => undefined);
      return closing;
    },
  };
}

async function migrate(pool: pg.Pool, location: PostgresLedgerLocation): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    if (location.schema) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${location.schema}`); // name checked by parseLedgerUrl
      await client.query(`SET LOCAL search_path TO ${location.schema}`);
    }
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    const applied = Number((await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations')).rows[0]?.version ?? 0);
    for (const migration of pendingMigrations(applied, location.shown)) {
      await client.query(migration.postgres);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release(error as Error); // destroyed, not reused: a statement that timed out may still be on it
    throw error;
  }
}
