import { EVENT_NAMES, type EventName } from '../events/event-names.js';
import { MAX_FIELD_LENGTH } from './decision-record.js';
import { LedgerError, LedgerErrorCode } from './errors.js';

/**
 * One call of a custom authentication extension event and what it was answered: the audit row every event shares
 * (issue 12, "Duties every event shares: auditing"). By construction it holds no claim value, no one-time code, no
 * e-mail address and no error text: the fields are fixed, and each is an id, a stable token or a number. A record
 * carrying any other field (an `EventOutcome`'s `errorDetail`, say) is refused, not trimmed.
 */
export interface EventCallRecord {
  at: Date;
  event: EventName;
  correlationId: string;
  /** The Entra user's object id when the event names one (token issuance), else null. */
  objectId: string | null;
  /** The action answered (`provideClaimsForToken` …), or `error` for an answer other than 200. */
  action: string;
  /** The HTTP status answered. */
  status: number;
  /** Why, as a stable token: `claims-from-legacy`, `otp-sent`, `handler-failed` … */
  reason: string;
  legacyId: string | null;
  /** The stable code of the error behind a degraded or failed answer (`LEGACY_STORE_TIMEOUT` …), else null. */
  errorCode: string | null;
  latencyInMs: number;
}

/** The fields of an {@link EventCallRecord}, and no others. */
export const EVENT_CALL_FIELDS = ['at', 'event', 'correlationId', 'objectId', 'action', 'status', 'reason', 'legacyId', 'errorCode', 'latencyInMs'] as const;

/** A stable token: letters, digits and `.`, `_`, `-`, `:`; no blank, so no sentence (and no message) fits. */
const TOKEN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
/** Longest action, reason and error code kept; ours are under 40 characters. */
export const MAX_TOKEN_LENGTH = 64;

export interface EventCallFilter {
  event?: EventName;
  correlationId?: string;
  /** At most this many, newest first. Default 100, at most 10,000. */
  limit?: number;
}

/** What `countEventCalls` counts: calls (of one event) at or after `since`, before `until`. */
export interface EventCallCountFilter {
  event?: EventName;
  since?: Date;
  until?: Date;
}

/** Calls per event, then per action answered: `{ OnOtpSend: { continueWithDefaultBehavior: 12, error: 1 } }`. */
export type EventCallCounts = Partial<Record<EventName, Record<string, number>>>;

/**
 * The audit row of an event's outcome, as the server's `onEventOutcome` hands it: the outcome's fields but its
 * `errorDetail` (log only), stamped with when it was answered.
 *
 * @example
 *   onEventOutcome: (outcome) => void ledger.recordEventCall(eventCallOf(outcome, new Date(clock()))).catch(logFailure)
 */
export function eventCallOf(outcome: Omit<EventCallRecord, 'at'> & { errorDetail?: string | null }, at: Date): EventCallRecord {
  const { event, correlationId, objectId, action, status, reason, legacyId, errorCode, latencyInMs } = outcome;
  return { at, event, correlationId, objectId, action, status, reason, legacyId, errorCode, latencyInMs };
}

/** Checks a record before any write, so an invalid one never reaches a table. */
export function checkEventCallRecord(record: EventCallRecord): void {
  if (typeof record !== 'object' || record === null) throw refused(['the record is not an object']);
  const problems: string[] = [];
  const extra = Object.keys(record).filter((key) => !(EVENT_CALL_FIELDS as readonly string[]).includes(key));
  if (extra.length > 0) problems.push(`fields other than ${EVENT_CALL_FIELDS.join(', ')} are not kept (${extra.length} found)`); // names not quoted: a key could be anything
  if (!(record.at instanceof Date) || Number.isNaN(record.at.getTime())) problems.push('at is not a valid date');
  if (!(EVENT_NAMES as readonly unknown[]).includes(record.event)) problems.push(`event must be one of ${EVENT_NAMES.join(', ')}`);
  if (!isShortText(record.correlationId)) problems.push(`correlationId must be text of 1–${MAX_FIELD_LENGTH} characters without NUL`);
  for (const field of ['objectId', 'legacyId'] as const) {
    if (record[field] !== null && !isShortText(record[field])) problems.push(`${field} must be null or text of 1–${MAX_FIELD_LENGTH} characters without NUL`);
  }
  for (const field of ['action', 'reason'] as const) if (!isToken(record[field])) problems.push(`${field} must be a token of 1–${MAX_TOKEN_LENGTH} letters, digits, ., _, -, :`);
  if (record.errorCode !== null && !isToken(record.errorCode)) problems.push(`errorCode must be null or a token of 1–${MAX_TOKEN_LENGTH} letters, digits, ., _, -, :`);
  if (!(Number.isInteger(record.status) && record.status >= 100 && record.status <= 599)) problems.push('status must be an HTTP status (100–599)');
  if (!(typeof record.latencyInMs === 'number' && Number.isFinite(record.latencyInMs) && record.latencyInMs >= 0)) problems.push('latencyInMs must be a finite number ≥ 0');
  if (problems.length > 0) throw refused(problems);
}

/** The limit of a listing, bounded. */
export function eventCallLimitOf(filter: EventCallFilter | undefined): number {
  const limit = filter?.limit ?? 100;
  return Number.isInteger(limit) && limit > 0 ? Math.min(limit, 10_000) : 100;
}

/**
 * The WHERE clause of `listEventCalls` and `countEventCalls`, for both drivers: `p()` writes the next placeholder,
 * `time` the driver's form of a date. An invalid filter is refused rather than read as "everything".
 */
export function eventCallWhere<T>(filter: EventCallFilter & EventCallCountFilter, p: () => string, time: (date: Date) => T): { where: string; values: unknown[] } {
  const clauses: string[] = [];
  const values: unknown[] = [];
  const refuse = (problem: string) => new LedgerError(LedgerErrorCode.RECORD_INVALID, `An event-call query was refused: ${problem}.`);
  if (filter.event !== undefined) {
    if (!(EVENT_NAMES as readonly unknown[]).includes(filter.event)) throw refuse(`event must be one of ${EVENT_NAMES.join(', ')}`);
    (clauses.push(`event = ${p()}`), values.push(filter.event));
  }
  if (filter.correlationId !== undefined) {
    if (!isShortText(filter.correlationId)) throw refuse(`correlationId must be text of 1–${MAX_FIELD_LENGTH} characters`);
    (clauses.push(`correlation_id = ${p()}`), values.push(filter.correlationId));
  }
  for (const [name, date, op] of [['since', filter.since, '>='], ['until', filter.until, '<']] as const) {
    if (date === undefined) continue;
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw refuse(`${name} is not a valid date`);
    (clauses.push(`at ${op} ${p()}`), values.push(time(date)));
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', values };
}

/** An `event_calls` row as the drivers return it (SQLite gives `at` as ISO text, PostgreSQL as a Date). */
export interface EventCallRow {
  at: string | Date;
  event: EventName;
  correlation_id: string;
  object_id: string | null;
  action: string;
  status: number;
  reason: string;
  legacy_id: string | null;
  error_code: string | null;
  latency_ms: number;
}

export function eventCallOfRow(row: EventCallRow): EventCallRecord {
  return {
    at: new Date(row.at),
    event: row.event,
    correlationId: row.correlation_id,
    objectId: row.object_id,
    action: row.action,
    status: Number(row.status),
    reason: row.reason,
    legacyId: row.legacy_id,
    errorCode: row.error_code,
    latencyInMs: Number(row.latency_ms),
  };
}

/** The values of an insert, in the column order of {@link EVENT_CALL_INSERT_COLUMNS}. */
export const EVENT_CALL_INSERT_COLUMNS = 'at, event, correlation_id, object_id, action, status, reason, legacy_id, error_code, latency_ms';
export function eventCallValues<T>(record: EventCallRecord, time: (date: Date) => T): unknown[] {
  return [time(record.at), record.event, record.correlationId, record.objectId, record.action, record.status, record.reason, record.legacyId, record.errorCode, record.latencyInMs];
}

/** Folds `(event, action, n)` rows into {@link EventCallCounts}. */
export function eventCallCountsOfRows(rows: ReadonlyArray<{ event: EventName; action: string; n: number | string }>): EventCallCounts {
  const counts: EventCallCounts = {};
  for (const row of rows) {
    const perAction = (counts[row.event] ??= {});
    perAction[row.action] = Number(row.n); // an action is a token (checked on write): it cannot be `__proto__`
  }
  return counts;
}

/** Checks the object id `legacyIdForObjectId` is asked about. */
export function checkObjectId(objectId: string): void {
  if (!isShortText(objectId)) throw new LedgerError(LedgerErrorCode.RECORD_INVALID, `A legacy-id look-up was refused: the object id must be text of 1–${MAX_FIELD_LENGTH} characters without NUL.`);
}

/**
 * The legacy id premigrate recorded for an Entra object id: the account created or found for it (the newest, should
 * two rows ever name it).
 */
export const LEGACY_ID_FOR_OBJECT_ID_SQL = (p: string) =>
  `SELECT legacy_id FROM premigration_accounts WHERE entra_object_id = ${p} AND state IN ('created', 'existing') ORDER BY updated_at DESC LIMIT 1`;

function isShortText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_FIELD_LENGTH && !value.includes('\0');
}

function isToken(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_TOKEN_LENGTH && TOKEN.test(value);
}

function refused(problems: string[]): LedgerError {
  return new LedgerError(LedgerErrorCode.RECORD_INVALID, `An event-call record was refused: ${problems.join('; ')}.`);
}
