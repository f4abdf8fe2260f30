import { checkDecisionRecord, DECISION_INSERT_COLUMNS, decisionValues, MAX_FIELD_LENGTH, type DecisionRecord } from './decision-record.js';
import { LedgerError, LedgerErrorCode } from './errors.js';
import { checkEventCallRecord, EVENT_CALL_INSERT_COLUMNS, eventCallValues, type EventCallRecord } from './event-call.js';

/**
 * Rows written together, in one transaction, under an id of the writer's choosing: a batch written again with the
 * same id (a retry after a failure that may have committed) writes nothing the second time — PostgreSQL by a mark in
 * the ledger (migration 009), SQLite, whose commits cannot end unknown, by the ids its process wrote.
 */
export interface LedgerBatch<T> {
  /** Unique per batch (a random UUID); the same on every retry of the same rows. */
  id: string;
  rows: readonly T[];
}

/** Most rows in one batch: one statement of at most 10 arrays of this length. */
export const MAX_BATCH_ROWS = 1000;
/** How long a batch's mark is kept when no later batch of the same process settles it, in days (see migration 009). */
const BATCH_MARK_RETENTION_IN_DAYS = 7;

/** What varies between the two tables a batch can go to. */
export interface BatchTable<T> {
  table: 'jit_decisions' | 'event_calls';
  columns: string;
  /** PostgreSQL array type of each column, in the order of `columns`. */
  postgresArrays: readonly string[];
  check(record: T): void;
  values<V>(record: T, time: (date: Date) => V): unknown[];
}

export const DECISION_BATCH_TABLE: BatchTable<DecisionRecord> = {
  table: 'jit_decisions',
  columns: DECISION_INSERT_COLUMNS,
  postgresArrays: ['timestamptz[]', 'text[]', 'text[]', 'text[]', 'text[]', 'text[]', 'float8[]', 'float8[]'],
  check: checkDecisionRecord,
  values: decisionValues,
};

export const EVENT_CALL_BATCH_TABLE: BatchTable<EventCallRecord> = {
  table: 'event_calls',
  columns: EVENT_CALL_INSERT_COLUMNS,
  postgresArrays: ['timestamptz[]', 'text[]', 'text[]', 'text[]', 'text[]', 'int2[]', 'text[]', 'text[]', 'text[]', 'float8[]'],
  check: checkEventCallRecord,
  values: eventCallValues,
};

/**
 * Checks a batch before any write: its id, its size, and every row (the first invalid row is named by position, so
 * the caller can set it aside). Rejects with `LEDGER_RECORD_INVALID`.
 */
export function checkBatch<T>(batch: LedgerBatch<T>, table: BatchTable<T>): void {
  const id = batch?.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_FIELD_LENGTH || id.includes('\0')) {
    throw new LedgerError(LedgerErrorCode.RECORD_INVALID, `A ${table.table} batch was refused: its id must be text of 1–${MAX_FIELD_LENGTH} characters without NUL.`);
  }
  if (!Array.isArray(batch.rows) || batch.rows.length > MAX_BATCH_ROWS) {
    throw new LedgerError(LedgerErrorCode.RECORD_INVALID, `A ${table.table} batch was refused: it must be an array of at most ${MAX_BATCH_ROWS} rows.`);
  }
  batch.rows.forEach((row, index) => {
    try {
      table.check(row);
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      throw new LedgerError(error.code, `Row ${index} of a ${table.table} batch: ${error.publicMessage}`, { cause: error });
    }
  });
}

/**
 * The one PostgreSQL statement that writes a batch, so a batch costs one round trip: the mark (a batch already marked
 * inserts no row), the deletion of settled and expired marks, then every row from one array per column (`unnest`:
 * ten parameters whatever the number of rows). One statement is one transaction.
 * Parameters: $1 the batch id, $2 the settled ids (text[]), then one array per column.
 */
export function postgresBatchSql<T>(table: BatchTable<T>): string {
  const arrays = table.postgresArrays.map((type, i) => `$${i + 3}::${type}`).join(', ');
  return `WITH mark AS (
      INSERT INTO ledger_batches (id, written_at) VALUES ($1, now()) ON CONFLICT (id) DO NOTHING RETURNING id
    ), settled AS (
      DELETE FROM ledger_batches WHERE id = ANY($2::text[]) OR written_at < now() - interval '${BATCH_MARK_RETENTION_IN_DAYS} days'
    )
    INSERT INTO ${table.table} (${table.columns}) SELECT * FROM unnest(${arrays}) WHERE EXISTS (SELECT 1 FROM mark)`;
}

/** A batch's rows as one array per column, for {@link postgresBatchSql}. */
export function postgresBatchColumns<T>(rows: readonly T[], table: BatchTable<T>): unknown[][] {
  const columns: unknown[][] = table.postgresArrays.map(() => []);
  for (const row of rows) table.values(row, (date) => date).forEach((value, i) => columns[i]!.push(value));
  return columns;
}

/**
 * SQLSTATE classes of a PostgreSQL error about the rows themselves (22 data exception: a value too long or out of
 * range; 23 integrity constraint violation): the server refused the statement, so nothing was written, and the same
 * rows would be refused again. Any other failure (the connection, the server's resources, a missing grant or table)
 * is about the ledger, and the rows are worth keeping until it is fixed.
 */
const ROW_REFUSED_SQLSTATE_CLASSES = ['22', '23'];

/** Whether a PostgreSQL driver error says the rows themselves were refused (see {@link ROW_REFUSED_SQLSTATE_CLASSES}). */
export function isPostgresRowRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const fromServer = typeof (error as { severity?: unknown } | null)?.severity === 'string';
  return fromServer && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && ROW_REFUSED_SQLSTATE_CLASSES.includes(code.slice(0, 2));
}

/** Whether a better-sqlite3 error says the rows themselves were refused: a constraint, a type mismatch, a value too big. */
export function isSqliteRowRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(code);
}
