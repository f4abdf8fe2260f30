import { MAX_FIELD_LENGTH } from './decision-record.js';
import { LedgerError, LedgerErrorCode } from './errors.js';

/**
 * What reconcile learnt of one pre-created account through Graph:
 * - `migrated-by-extension`: we answered MigratePassword and the flag is now false;
 * - `migrated-by-reset`: the flag is false, the password changed after the pre-creation, no MigratePassword of ours;
 * - `pending`: the flag is still true (the user has not signed in yet, or our answer is younger than the grace);
 * - `not-applied`: we answered MigratePassword but the flag is still true after the grace;
 * - `released-by-cutover`: `cutover` cleared the flag; never counted as a reset.
 */
export type Confirmation = 'migrated-by-extension' | 'migrated-by-reset' | 'pending' | 'not-applied' | 'released-by-cutover';
export const CONFIRMATIONS: readonly Confirmation[] = ['migrated-by-extension', 'migrated-by-reset', 'pending', 'not-applied', 'released-by-cutover'];
/** The confirmations that say the account migrated: the legacy side is told (the mark) for these only. */
export const MIGRATED_CONFIRMATIONS: readonly Confirmation[] = ['migrated-by-extension', 'migrated-by-reset'];
/** The confirmations reconcile reads Graph for again on every run. */
export const OPEN_CONFIRMATIONS: readonly Confirmation[] = ['pending', 'not-applied'];

export interface Reconciliation {
  legacyId: string;
  objectId: string;
  confirmation: Confirmation;
  /** When reconcile first saw the account migrated (the `:migratedAt` of the mark); null while not migrated. */
  confirmedAt: Date | null;
  /** Graph's `lastPasswordChangeDateTime` as last read, or null when Graph gave none. */
  lastPasswordChangeAt: Date | null;
  /** When Graph was last read for this account. */
  checkedAt: Date;
}

/** Whether the legacy side was told: done (and when), or the last failure (retried on the next run). */
export interface MarkState {
  doneAt: Date | null;
  /** The last failure, without the query's values; null once done or never tried. */
  error: string | null;
}

/** One account reconcile has to look at: phase 1's record, and what an earlier run learnt, if anything. */
export interface AccountToReconcile {
  legacyId: string;
  objectId: string;
  /** When phase 1 recorded the account created (or found existing): a password change after it is a reset. */
  preCreatedAt: Date;
  earlier: (Reconciliation & { mark: MarkState }) | null;
}

export interface ReconcileFilter {
  /** Keyset pagination: accounts whose legacy id sorts after this one. */
  after?: string;
  /** Default 1000, at most 10,000. */
  limit?: number;
  /** Also list accounts confirmed migrated whose mark is not done (when a mark is configured). */
  unmarked?: boolean;
}

/** Our MigratePassword answers to one user: the latest, and the correlation ids of all of them (at most 20 kept). */
export interface MigratePasswordAnswers {
  lastAt: Date;
  correlationIds: string[];
}

/** Longest mark error kept, in characters. */
const MAX_MARK_ERROR_LENGTH = 1000;

export function checkReconciliation(record: Reconciliation): void {
  const problems: string[] = [];
  const text = (value: unknown) => typeof value === 'string' && value.length > 0 && value.length <= MAX_FIELD_LENGTH && !value.includes('\0');
  const date = (value: unknown) => value instanceof Date && !Number.isNaN(value.getTime());
  if (!text(record.legacyId)) problems.push(`legacyId must be 1–${MAX_FIELD_LENGTH} characters`);
  if (!text(record.objectId)) problems.push(`objectId must be 1–${MAX_FIELD_LENGTH} characters`);
  if (!CONFIRMATIONS.includes(record.confirmation)) problems.push(`confirmation must be one of ${CONFIRMATIONS.join(', ')}`);
  if (record.confirmedAt !== null && !date(record.confirmedAt)) problems.push('confirmedAt must be null or a valid date');
  if (record.lastPasswordChangeAt !== null && !date(record.lastPasswordChangeAt)) problems.push('lastPasswordChangeAt must be null or a valid date');
  if (!date(record.checkedAt)) problems.push('checkedAt must be a valid date');
  if (problems.length > 0) throw new LedgerError(LedgerErrorCode.RECORD_INVALID, `A reconciliation was refused: ${problems.join('; ')}.`);
}

/** A mark's error as kept: one line, bounded, never empty. */
export function markErrorText(error: string): string {
  const line = error.replace(/[\0\r\n]+/g, ' ').trim().slice(0, MAX_MARK_ERROR_LENGTH);
  return line === '' ? 'unknown error' : line;
}

export function reconcileLimitOf(filter: ReconcileFilter): number {
  const limit = filter.limit ?? 1000;
  return Number.isInteger(limit) && limit > 0 ? Math.min(limit, 10_000) : 1000;
}

/** A row of the reconcile listing as the drivers return it (SQLite gives times as ISO text, PostgreSQL as Dates). */
export interface ReconcileRow {
  legacy_id: string;
  entra_object_id: string;
  updated_at: string | Date;
  confirmation: Confirmation | null;
  object_id: string | null;
  confirmed_at: string | Date | null;
  last_password_change_at: string | Date | null;
  checked_at: string | Date | null;
  mark_done_at: string | Date | null;
  mark_error: string | null;
}

const dateOrNull = (value: string | Date | null) => (value === null ? null : new Date(value));

export function accountToReconcileOfRow(row: ReconcileRow): AccountToReconcile {
  return {
    legacyId: row.legacy_id,
    objectId: row.entra_object_id,
    preCreatedAt: new Date(row.updated_at),
    earlier: row.confirmation === null ? null : reconciliationOfRow({ ...row, confirmation: row.confirmation }),
  };
}

export function reconciliationOfRow(row: Omit<ReconcileRow, 'entra_object_id' | 'updated_at'> & { confirmation: Confirmation }): Reconciliation & { mark: MarkState } {
  return {
    legacyId: row.legacy_id,
    objectId: row.object_id!,
    confirmation: row.confirmation,
    confirmedAt: dateOrNull(row.confirmed_at),
    lastPasswordChangeAt: dateOrNull(row.last_password_change_at),
    checkedAt: new Date(row.checked_at!),
    mark: { doneAt: dateOrNull(row.mark_done_at), error: row.mark_error },
  };
}

/**
 * The listing's SQL, for both drivers: pre-created accounts (created or existing, with an object id) not yet
 * confirmed, or (with `unmarked`) confirmed migrated but not yet marked; in legacy-id order after a key.
 * `p(n)` writes the driver's n-th placeholder; `collate` orders byte-wise on PostgreSQL, like SQLite; `state` is the
 * account's state as the driver should read it (SQLite: `+p.state`, so that its planner, without statistics on a
 * ledger nobody ANALYZEs, walks the primary key from the page's key instead of reading and sorting every pre-created
 * account through the state index for every page).
 */
export function reconcileListingSql(unmarked: boolean, p: (n: number) => string, collate: string, state = 'p.state'): string {
  const quoted = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');
  const open = `r.legacy_id IS NULL OR r.confirmation IN (${quoted(OPEN_CONFIRMATIONS)})`;
  const unmarkedClause = unmarked ? ` OR (r.confirmation IN (${quoted(MIGRATED_CONFIRMATIONS)}) AND r.mark_done_at IS NULL)` : '';
  return `SELECT p.legacy_id, p.entra_object_id, p.updated_at, r.confirmation, r.object_id, r.confirmed_at, r.last_password_change_at, r.checked_at, r.mark_done_at, r.mark_error
    FROM premigration_accounts p LEFT JOIN reconciliations r ON r.legacy_id = p.legacy_id
    WHERE ${state} IN ('created', 'existing') AND p.entra_object_id IS NOT NULL AND (${open}${unmarkedClause}) AND p.legacy_id${collate} > ${p(1)}
    ORDER BY p.legacy_id${collate} LIMIT ${p(2)}`;
}
