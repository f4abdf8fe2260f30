import { LedgerError, LedgerErrorCode } from './errors.js';

/**
 * One answer the extension gave Entra. By construction there is no field that could hold a password, a token or a
 * hash: the ledger is an audit trail of decisions, not of credentials.
 */
export interface DecisionRecord {
  at: Date;
  correlationId: string;
  /** The Entra object id of the user. */
  objectId: string;
  /** The legacy account's id, or null when none was found (or the store failed). */
  legacyId: string | null;
  action: DecisionAction;
  /** Why, as a stable token: `password-correct`, `legacy-account-blocked`, `deadline-exceeded` … */
  reason: string;
  latencyInMs: number;
  /**
   * How long the legacy password check took inside this answer, in ms; null or absent when there was none (a Retry
   * before any check, a legacy store that could not be asked). Read back absent when null, so records written without
   * it compare equal to what the ledger returns.
   */
  legacyLatencyInMs?: number | null;
}

/**
 * The answers a decision records: OnPasswordSubmit's four, and OnAttributeCollectionSubmit's `modifyAttributeValues`
 * when sign-up links a legacy account (SIGNUP_COLLISION=link; reason {@link MIGRATED_BY_SIGN_UP}).
 */
export const DECISION_ACTIONS = ['MigratePassword', 'UpdatePassword', 'Retry', 'Block', 'modifyAttributeValues'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** The reason of a sign-up that carried a legacy account's id and profile into the new Entra account. */
export const MIGRATED_BY_SIGN_UP = 'migrated-by-sign-up';

/**
 * The `objectId` of a sign-up decision: Entra creates the account only after attribute collection is submitted, so
 * no object id exists yet; the correlation id ties the record to Entra's sign-in logs.
 */
export const SIGN_UP_OBJECT_ID = 'sign-up';

/** Longest text kept per field; Entra's ids are 36 characters, our reasons under 60. */
export const MAX_FIELD_LENGTH = 200;

/** What `countDecisions` counts: decisions of one action (every action when absent) at or after `since`, before `until`. */
export interface DecisionCountFilter {
  action?: DecisionAction;
  since?: Date;
  until?: Date;
}

export interface DecisionFilter {
  objectId?: string;
  correlationId?: string;
  /** At most this many, newest first. Default 100, at most 10,000. */
  limit?: number;
}

/** Checks a record before any write, so an invalid one never reaches a table. */
export function checkDecisionRecord(record: DecisionRecord): void {
  const problems: string[] = [];
  if (!(record.at instanceof Date) || Number.isNaN(record.at.getTime())) problems.push('at is not a valid date');
  for (const field of ['correlationId', 'objectId', 'reason'] as const) {
    if (!isShortText(record[field])) problems.push(`${field} must be text of 1–${MAX_FIELD_LENGTH} characters without NUL`);
  }
  if (record.legacyId !== null && !isShortText(record.legacyId)) problems.push(`legacyId must be null or text of 1–${MAX_FIELD_LENGTH} characters`);
  if (!(DECISION_ACTIONS as readonly string[]).includes(record.action)) problems.push(`action must be one of ${DECISION_ACTIONS.join(', ')}`);
  if (!(typeof record.latencyInMs === 'number' && Number.isFinite(record.latencyInMs) && record.latencyInMs >= 0)) {
    problems.push('latencyInMs must be a finite number ≥ 0');
  }
  const legacyLatency = record.legacyLatencyInMs;
  if (legacyLatency !== undefined && legacyLatency !== null && !(typeof legacyLatency === 'number' && Number.isFinite(legacyLatency) && legacyLatency >= 0)) {
    problems.push('legacyLatencyInMs must be null or a finite number ≥ 0');
  }
  if (problems.length > 0) {
    throw new LedgerError(LedgerErrorCode.RECORD_INVALID, `A decision record was refused: ${problems.join('; ')}.`);
  }
}

/** The limit of a listing, bounded. */
export function limitOf(filter: DecisionFilter | undefined): number {
  const limit = filter?.limit ?? 100;
  return Number.isInteger(limit) && limit > 0 ? Math.min(limit, 10_000) : 100;
}

/**
 * The WHERE clause of `countDecisions`, for both drivers: `p()` writes the next placeholder, `time` the driver's form of
 * a date (ISO text for SQLite, whose `at` is ISO text that sorts as time; a Date for PostgreSQL). An invalid filter
 * is refused rather than counted as "everything".
 */
export function decisionCountWhere<T>(filter: DecisionCountFilter, p: () => string, time: (date: Date) => T): { where: string; values: unknown[] } {
  const clauses: string[] = [];
  const values: unknown[] = [];
  const checkedDate = (name: string, date: Date) => {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new LedgerError(LedgerErrorCode.RECORD_INVALID, `A decision count was refused: ${name} is not a valid date.`);
    return time(date);
  };
  if (filter.action !== undefined) {
    if (!DECISION_ACTIONS.includes(filter.action)) throw new LedgerError(LedgerErrorCode.RECORD_INVALID, `A decision count was refused: action must be one of ${DECISION_ACTIONS.join(', ')}.`);
    clauses.push(`action = ${p()}`);
    values.push(filter.action);
  }
  if (filter.since !== undefined) (values.push(checkedDate('since', filter.since)), clauses.push(`at >= ${p()}`));
  if (filter.until !== undefined) (values.push(checkedDate('until', filter.until)), clauses.push(`at < ${p()}`));
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', values };
}

function isShortText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_FIELD_LENGTH && !value.includes('\0');
}

/** A `jit_decisions` row as the drivers return it (SQLite gives `at` as ISO text, PostgreSQL as a Date). */
export interface DecisionRow {
  at: string | Date;
  correlation_id: string;
  object_id: string;
  legacy_id: string | null;
  action: DecisionAction;
  reason: string;
  latency_ms: number;
  /** Null on rows without a legacy check, and on rows written before migration 007. */
  legacy_latency_ms: number | null;
}

/** The columns a decision is inserted with, in the order of {@link decisionValues}. */
export const DECISION_INSERT_COLUMNS = 'at, correlation_id, object_id, legacy_id, action, reason, latency_ms, legacy_latency_ms';

/** The values of a decision's insert; `time` gives the driver's form of a date. */
export function decisionValues<T>(record: DecisionRecord, time: (date: Date) => T): unknown[] {
  return [time(record.at), record.correlationId, record.objectId, record.legacyId, record.action, record.reason, record.latencyInMs, record.legacyLatencyInMs ?? null];
}

export function recordOfRow(row: DecisionRow): DecisionRecord {
  return {
    at: new Date(row.at),
    correlationId: row.correlation_id,
    objectId: row.object_id,
    legacyId: row.legacy_id,
    action: row.action,
    reason: row.reason,
    latencyInMs: row.latency_ms,
    ...(row.legacy_latency_ms !== null && row.legacy_latency_ms !== undefined && { legacyLatencyInMs: Number(row.legacy_latency_ms) }),
  };
}
