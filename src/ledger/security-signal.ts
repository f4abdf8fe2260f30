import { LedgerError, LedgerErrorCode } from './errors.js';

/** The signals `serve` raises about the traffic it sees; one today: the tenant-wide share of wrong passwords. */
export const SECURITY_SIGNAL_KINDS = ['credential-stuffing'] as const;
export type SecuritySignalKind = (typeof SECURITY_SIGNAL_KINDS)[number];

/** `raised` when the condition starts to hold (at most one a minute), `ended` when it no longer does. */
export const SECURITY_SIGNAL_STATES = ['raised', 'ended'] as const;
export type SecuritySignalState = (typeof SECURITY_SIGNAL_STATES)[number];

/**
 * One credential-stuffing signal raised or ended by one replica (docs/attempt-limits.md), with the last minute's
 * figures it was decided on. Numbers and fixed tokens only: no sign-in name, address or password is ever in it.
 */
export interface SecuritySignalRecord {
  at: Date;
  kind: SecuritySignalKind;
  state: SecuritySignalState;
  /** Password attempts in the last minute, on this replica. */
  attempts: number;
  /** Of them, wrong passwords, unknown names, locked accounts and attempts over the per-account limit. */
  wrong: number;
  /** STUFFING_SIGNAL_WRONG_PERCENT: the share, in percent, at or above which the signal is raised. */
  thresholdPercent: number;
  /** STUFFING_SIGNAL_MODE: `observe` (logged, counted) or `block` (sign-ins answered "temporarily unavailable"). */
  mode: 'observe' | 'block';
}

export interface SecuritySignalFilter {
  /** At most this many, newest first. Default {@link DEFAULT_SECURITY_SIGNAL_LIMIT}, at most {@link MAX_SECURITY_SIGNAL_LIMIT}. */
  limit?: number;
}

export const SECURITY_SIGNAL_FIELDS = ['at', 'kind', 'state', 'attempts', 'wrong', 'thresholdPercent', 'mode'] as const;
export const DEFAULT_SECURITY_SIGNAL_LIMIT = 100;
export const MAX_SECURITY_SIGNAL_LIMIT = 10_000;
const MODES = ['observe', 'block'] as const;

/** Checks a signal before any write, so an invalid one never reaches the table; throws `LEDGER_RECORD_INVALID`. */
export function checkSecuritySignalRecord(record: SecuritySignalRecord): void {
  if (typeof record !== 'object' || record === null) throw refused(['the record is not an object']);
  const problems: string[] = [];
  const extra = Object.keys(record).filter((key) => !(SECURITY_SIGNAL_FIELDS as readonly string[]).includes(key));
  if (extra.length > 0) problems.push(`fields other than ${SECURITY_SIGNAL_FIELDS.join(', ')} are not kept (${extra.length} found)`);
  if (!(record.at instanceof Date) || Number.isNaN(record.at.getTime())) problems.push('at is not a valid date');
  if (!(SECURITY_SIGNAL_KINDS as readonly unknown[]).includes(record.kind)) problems.push(`kind must be one of ${SECURITY_SIGNAL_KINDS.join(', ')}`);
  if (!(SECURITY_SIGNAL_STATES as readonly unknown[]).includes(record.state)) problems.push(`state must be one of ${SECURITY_SIGNAL_STATES.join(', ')}`);
  if (!(MODES as readonly unknown[]).includes(record.mode)) problems.push(`mode must be one of ${MODES.join(', ')}`);
  for (const field of ['attempts', 'wrong'] as const) if (!(Number.isSafeInteger(record[field]) && record[field] >= 0)) problems.push(`${field} must be a whole number ≥ 0`);
  if (Number.isSafeInteger(record.attempts) && Number.isSafeInteger(record.wrong) && record.wrong > record.attempts) problems.push('wrong cannot exceed attempts');
  if (!(Number.isInteger(record.thresholdPercent) && record.thresholdPercent >= 1 && record.thresholdPercent <= 100)) problems.push('thresholdPercent must be a whole number from 1 to 100');
  if (problems.length > 0) throw refused(problems);
}

/** The limit of a listing, bounded. */
export function securitySignalLimitOf(filter: SecuritySignalFilter | undefined): number {
  const limit = filter?.limit ?? DEFAULT_SECURITY_SIGNAL_LIMIT;
  return Number.isInteger(limit) && limit > 0 ? Math.min(limit, MAX_SECURITY_SIGNAL_LIMIT) : DEFAULT_SECURITY_SIGNAL_LIMIT;
}

/** The insert of one signal, for both drivers (`p(n)` writes placeholder n, 1-based). */
export const INSERT_SECURITY_SIGNAL_SQL = (p: (n: number) => string) =>
  `INSERT INTO security_signals (at, kind, state, attempts, wrong, threshold_percent, mode) VALUES (${[1, 2, 3, 4, 5, 6, 7].map(p).join(', ')})`;

/** The values of the insert; `time` gives the driver's form of a date. */
export function securitySignalValues<T>(record: SecuritySignalRecord, time: (date: Date) => T): unknown[] {
  return [time(record.at), record.kind, record.state, record.attempts, record.wrong, record.thresholdPercent, record.mode];
}

/** The newest first; the row id breaks a tie between two signals of the same millisecond. */
export const LIST_SECURITY_SIGNALS_SQL = (p: string) => `SELECT * FROM security_signals ORDER BY at DESC, id DESC LIMIT ${p}`;

/** A `security_signals` row as the drivers return it (SQLite: ISO text; PostgreSQL: Date, int). */
export interface SecuritySignalRow {
  at: string | Date;
  kind: SecuritySignalKind;
  state: SecuritySignalState;
  attempts: number | string;
  wrong: number | string;
  threshold_percent: number | string;
  mode: 'observe' | 'block';
}

export function securitySignalOfRow(row: SecuritySignalRow): SecuritySignalRecord {
  return {
    at: new Date(row.at),
    kind: row.kind,
    state: row.state,
    attempts: Number(row.attempts),
    wrong: Number(row.wrong),
    thresholdPercent: Number(row.threshold_percent),
    mode: row.mode,
  };
}

function refused(problems: string[]): LedgerError {
  return new LedgerError(LedgerErrorCode.RECORD_INVALID, `A security signal record was refused: ${problems.join('; ')}.`);
}
