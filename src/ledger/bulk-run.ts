import { LedgerError, LedgerErrorCode } from './errors.js';

/** The bulk commands that record their runs: each talks to Graph for a long time and the team wants to see it did. */
export const BULK_COMMANDS = ['premigrate', 'premigrate-sync', 'reconcile', 'cutover'] as const;
export type BulkCommand = (typeof BULK_COMMANDS)[number];

/** `running` until the run ends; `interrupted` when it was stopped (SIGINT, an abort) before the end. */
export const BULK_RUN_OUTCOMES = ['running', 'completed', 'interrupted', 'failed'] as const;
export type BulkRunOutcome = (typeof BULK_RUN_OUTCOMES)[number];

/**
 * One run of a bulk command, as the dashboard's "Bulk runs" panel shows it. The command writes it at start, about
 * every 10 s and at the end (insert or replace by `id`), so a run that died without a last word still shows how far
 * it went. By construction it holds no account, no e-mail and no error text: ids, tokens, flags and numbers only.
 */
export interface BulkRunRecord {
  /** A UUID the run picks at start. */
  id: string;
  command: BulkCommand;
  startedAt: Date;
  /** Null while running. */
  finishedAt: Date | null;
  outcome: BulkRunOutcome;
  dryRun: boolean;
  /** The run summary's numeric counters (`created: 120, failed: 2`): keys tokens `[A-Za-z][A-Za-z0-9]*`, at most 32. */
  counts: Record<string, number>;
  /** Graph requests sent (each `$batch` sub-request counts as one). */
  graphRequests: number;
  /** 429 answers received. */
  throttled: number;
  /** The request rate the run's pacer allowed (requests/s), null when unpaced. */
  budgetPerSecond: number | null;
}

export interface BulkRunFilter {
  /** At most this many, newest `startedAt` first. Default {@link DEFAULT_BULK_RUN_LIMIT}, at most {@link MAX_BULK_RUN_LIMIT}. */
  limit?: number;
}

/** The fields of a {@link BulkRunRecord}, and no others: a record carrying any other field is refused, not trimmed. */
export const BULK_RUN_FIELDS = ['id', 'command', 'startedAt', 'finishedAt', 'outcome', 'dryRun', 'counts', 'graphRequests', 'throttled', 'budgetPerSecond'] as const;

/** Counters kept per run: a summary has about ten; the bound keeps one row small whatever a caller passes. */
export const MAX_BULK_RUN_COUNTS = 32;
/** Longest counter name kept; ours are under 20 characters. */
const MAX_COUNT_KEY_LENGTH = 64;
/** A counter name: a letter, then letters and digits; no `_`, so no `__proto__`, and no blank, so no sentence. */
const COUNT_KEY = /^[A-Za-z][A-Za-z0-9]*$/;
/** A UUID in its canonical text form, any version. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** 50: the panel shows the last few runs; a migration has tens of runs, not thousands. */
export const DEFAULT_BULK_RUN_LIMIT = 50;
export const MAX_BULK_RUN_LIMIT = 1000;

/**
 * Checks a run before any write, so an invalid one never reaches a table.
 *
 * @example
 *   checkBulkRunRecord({ ...run, counts: { 'not a token': 1 } }); // throws LEDGER_RECORD_INVALID
 */
export function checkBulkRunRecord(record: BulkRunRecord): void {
  if (typeof record !== 'object' || record === null) throw refused(['the record is not an object']);
  const problems: string[] = [];
  const extra = Object.keys(record).filter((key) => !(BULK_RUN_FIELDS as readonly string[]).includes(key));
  if (extra.length > 0) problems.push(`fields other than ${BULK_RUN_FIELDS.join(', ')} are not kept (${extra.length} found)`); // names not quoted: a key could be anything
  if (typeof record.id !== 'string' || !UUID.test(record.id)) problems.push('id must be a UUID');
  if (!(BULK_COMMANDS as readonly unknown[]).includes(record.command)) problems.push(`command must be one of ${BULK_COMMANDS.join(', ')}`);
  if (!(BULK_RUN_OUTCOMES as readonly unknown[]).includes(record.outcome)) problems.push(`outcome must be one of ${BULK_RUN_OUTCOMES.join(', ')}`);
  if (!isDate(record.startedAt)) problems.push('startedAt is not a valid date');
  if (record.finishedAt !== null && !isDate(record.finishedAt)) problems.push('finishedAt must be null or a valid date');
  else if (record.outcome === 'running' && record.finishedAt !== null) problems.push('a running run has no finishedAt');
  else if (record.outcome !== 'running' && (BULK_RUN_OUTCOMES as readonly unknown[]).includes(record.outcome) && record.finishedAt === null) problems.push('a run that ended needs finishedAt');
  else if (record.finishedAt !== null && isDate(record.startedAt) && record.finishedAt < record.startedAt) problems.push('finishedAt is before startedAt');
  if (typeof record.dryRun !== 'boolean') problems.push('dryRun must be true or false');
  problems.push(...countProblems(record.counts));
  for (const field of ['graphRequests', 'throttled'] as const) if (!(Number.isSafeInteger(record[field]) && record[field] >= 0)) problems.push(`${field} must be a whole number ≥ 0`);
  if (record.budgetPerSecond !== null && !isCount(record.budgetPerSecond)) problems.push('budgetPerSecond must be null or a finite number ≥ 0');
  if (problems.length > 0) throw refused(problems);
}

function countProblems(counts: unknown): string[] {
  if (typeof counts !== 'object' || counts === null || Array.isArray(counts)) return ['counts must be an object of numbers'];
  const prototype: unknown = Object.getPrototypeOf(counts);
  if (prototype !== Object.prototype && prototype !== null) return ['counts must be a plain object of numbers'];
  const entries = Object.entries(counts);
  const problems: string[] = [];
  if (entries.length > MAX_BULK_RUN_COUNTS) problems.push(`counts holds at most ${MAX_BULK_RUN_COUNTS} keys (${entries.length} found)`);
  if (entries.some(([key]) => key.length > MAX_COUNT_KEY_LENGTH || !COUNT_KEY.test(key))) problems.push(`each counts key must be a token of 1–${MAX_COUNT_KEY_LENGTH} letters and digits, starting with a letter`);
  if (entries.some(([, value]) => !isCount(value))) problems.push('each counts value must be a finite number ≥ 0');
  return problems;
}

/** The limit of a listing, bounded. */
export function bulkRunLimitOf(filter: BulkRunFilter | undefined): number {
  const limit = filter?.limit ?? DEFAULT_BULK_RUN_LIMIT;
  return Number.isInteger(limit) && limit > 0 ? Math.min(limit, MAX_BULK_RUN_LIMIT) : DEFAULT_BULK_RUN_LIMIT;
}

/** The columns of the upsert, in the order of {@link bulkRunValues}; `excluded` replaces every one but the id. */
export const BULK_RUN_COLUMNS = ['id', 'command', 'started_at', 'finished_at', 'outcome', 'dry_run', 'counts', 'graph_requests', 'throttled', 'budget_per_second'] as const;

/** The insert-or-replace of one run, for both drivers (`p(n)` writes placeholder n, 1-based). */
export function bulkRunUpsertSql(p: (n: number) => string): string {
  const updates = BULK_RUN_COLUMNS.slice(1).map((column) => `${column} = excluded.${column}`).join(', ');
  return `INSERT INTO bulk_runs (${BULK_RUN_COLUMNS.join(', ')}) VALUES (${BULK_RUN_COLUMNS.map((_, i) => p(i + 1)).join(', ')})
    ON CONFLICT (id) DO UPDATE SET ${updates}`;
}

/** The values of the upsert; `time` and `flag` give the driver's form of a date and a boolean. The id is kept lower-case. */
export function bulkRunValues<T, F>(record: BulkRunRecord, time: (date: Date) => T, flag: (value: boolean) => F): unknown[] {
  return [
    record.id.toLowerCase(),
    record.command,
    time(record.startedAt),
    record.finishedAt === null ? null : time(record.finishedAt),
    record.outcome,
    flag(record.dryRun),
    JSON.stringify(record.counts),
    record.graphRequests,
    record.throttled,
    record.budgetPerSecond,
  ];
}

/** The newest runs first; the id breaks a tie so that two runs started in the same millisecond list stably. */
export const LIST_BULK_RUNS_SQL = (p: string) => `SELECT * FROM bulk_runs ORDER BY started_at DESC, id DESC LIMIT ${p}`;

/** A `bulk_runs` row as the drivers return it (SQLite: ISO text, 0/1, JSON text; PostgreSQL: Date, boolean, parsed json, bigint text). */
export interface BulkRunRow {
  id: string;
  command: BulkCommand;
  started_at: string | Date;
  finished_at: string | Date | null;
  outcome: BulkRunOutcome;
  dry_run: number | boolean;
  counts: string | Record<string, number>;
  graph_requests: number | string;
  throttled: number | string;
  budget_per_second: number | null;
}

export function bulkRunOfRow(row: BulkRunRow): BulkRunRecord {
  return {
    id: row.id,
    command: row.command,
    startedAt: new Date(row.started_at),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
    outcome: row.outcome,
    dryRun: row.dry_run === true || row.dry_run === 1,
    counts: typeof row.counts === 'string' ? (JSON.parse(row.counts) as Record<string, number>) : row.counts,
    graphRequests: Number(row.graph_requests),
    throttled: Number(row.throttled),
    budgetPerSecond: row.budget_per_second === null ? null : Number(row.budget_per_second),
  };
}

function isDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function refused(problems: string[]): LedgerError {
  return new LedgerError(LedgerErrorCode.RECORD_INVALID, `A bulk run record was refused: ${problems.join('; ')}.`);
}
