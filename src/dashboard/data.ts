import { DECISION_ACTIONS, type DecisionRecord, type Ledger } from '../ledger/index.js';
import { statusFigures, UNAVAILABLE_REASONS, type StatusFigures } from '../status/index.js';
import { recentBulkRuns, type BulkRunView } from './bulk-runs.js';
import { progressOverTime, withLivePoint, type ProgressPoint } from './progress-history.js';

export type { ProgressPoint };

/** Where the progress points come from: the ledger each time by default; the server reuses the hours past (`ProgressHistoryCache`). */
export type ProgressHistoryReader = (now: Date) => Promise<ProgressPoint[]>;

const HOUR_IN_MS = 3_600_000;
/** Hours of answers shown: the last day, hour by hour. */
export const HOURS_SHOWN = 24;
/**
 * The most answers read for the hourly figures: the ledger's listing cap. Past it (more than 10,000 answers in a
 * day, about 7 a minute) the oldest hours are incomplete, and the figures say so (`complete: false`).
 */
export const HOURLY_ANSWERS_READ = 10_000;
/** Days of answers the status figures cover (the daily table): a fortnight fits a phone screen. */
export const DAYS_SHOWN = 14;
/** Entra's longest wait for an extension (`timeoutInMilliseconds` at most 2000); an answer later fails the sign-in. */
export const ENTRA_TIMEOUT_IN_MS = 2000;

/** The columns of the hourly answers: OnPasswordSubmit's four actions, Block split by why, and sign-ups linked. */
export const HOURLY_COLUMNS = ['MigratePassword', 'UpdatePassword', 'Retry', 'Block-locked', 'Block-unavailable', 'sign-up'] as const;
export type HourlyColumn = (typeof HOURLY_COLUMNS)[number];

/** One hour of the extension's answers, with the latency percentiles of the whole answer (arrival to response). */
export interface AnswerHour {
  /** The hour's start, ISO 8601 UTC. */
  hour: string;
  answers: number;
  byColumn: Record<HourlyColumn, number>;
  /** `percentile_disc`, as `status` computes its daily ones; null in an hour without answers. */
  p50LatencyInMs: number | null;
  p95LatencyInMs: number | null;
  p99LatencyInMs: number | null;
  /** Answers later than the deadline. */
  overDeadline: number;
  /** Answers that carry the time their legacy password check took (`legacyLatencyInMs`); the legacy figures are theirs. */
  legacyChecks: number;
  /** `percentile_disc` of the legacy check's time; null in an hour without one. */
  legacyP50LatencyInMs: number | null;
  legacyP95LatencyInMs: number | null;
  /** The median of each answer's legacy check time over its whole latency (0 to 1): the legacy store's share. */
  legacyShareP50: number | null;
}


/** Something the migration team should look at, with what to do about it. */
export interface Anomaly {
  kind: 'not-applied' | 'failed-pre-creation' | 'pending-creation' | 'unavailable-answers' | 'over-deadline';
  count: number;
  advice: string;
}

/** Everything the page shows, as `/api/figures` sends it. */
export interface DashboardFigures {
  /** The figures of `entra-migrate status`, unchanged (keys in docs/status.md). */
  status: StatusFigures;
  progress: ProgressPoint;
  /** The progress hour by hour from the ledger, oldest first, the last the figures' own point now (see `progressOverTime`). */
  history: ProgressPoint[];
  /** The last bulk runs, newest first. */
  bulkRuns: BulkRunView[];
  hours: {
    perHour: AnswerHour[];
    /** False when more answers fell in the last day than were read: the oldest hours then miss some. */
    complete: boolean;
  };
  deadlineInMs: number;
  entraTimeoutInMs: number;
  anomalies: Anomaly[];
}

export interface DashboardFiguresOptions {
  ledger: Ledger;
  now: Date;
  /** RESPONSE_DEADLINE_MS: answers later than this count as over the deadline. */
  deadlineInMs: number;
  /** Default: `progressOverTime` on the ledger, its last point the figures' own. */
  history?: ProgressHistoryReader;
}

/**
 * Reads what the dashboard shows: the `status` figures (reused as they are), the progress hour by hour from the
 * ledger, the last day's answers hour by hour from the newest decisions (at most {@link HOURLY_ANSWERS_READ}), and
 * the last bulk runs.
 *
 * @example
 *   const figures = await dashboardFigures({ ledger, now: new Date(), deadlineInMs: 1500 });
 *   figures.progress.remaining; // pre-created, not yet migrated
 */
export async function dashboardFigures(options: DashboardFiguresOptions): Promise<DashboardFigures> {
  const { ledger, now, deadlineInMs } = options;
  const readHistory = options.history ?? ((at: Date) => progressOverTime(ledger, at));
  const [status, newest, bulkRuns, points] = await Promise.all([
    statusFigures({ ledger, days: DAYS_SHOWN, now }),
    ledger.listDecisions({ limit: HOURLY_ANSWERS_READ }),
    recentBulkRuns(ledger, now),
    readHistory(now),
  ]);
  const progress = progressOf(status);
  const history = withLivePoint(points, progress);
  const hours = answerHours(newest, now, deadlineInMs);
  return { status, progress, history, bulkRuns, hours, deadlineInMs, entraTimeoutInMs: ENTRA_TIMEOUT_IN_MS, anomalies: anomaliesOf(status, hours.perHour) };
}

/** The progress point of a set of status figures. */
export function progressOf(status: StatusFigures): ProgressPoint {
  return {
    at: status.generatedAt,
    preCreated: status.accounts.preCreated,
    migratedByExtension: status.migratedBy.extension,
    migratedByReset: status.migratedBy.reset,
    migratedBySignUp: status.migratedBy.signUp,
    // The standings partition the pre-created accounts; these are the ones that have not moved (see status-queries.ts).
    remaining: status.needsNewPassword + status.blocked + status.triedNotMigrated + status.neverSignedIn + status.notApplied,
  };
}

/**
 * The last {@link HOURS_SHOWN} hours (the current one last) of the given decisions, newest first as the ledger lists
 * them. Complete unless the listing was full and its oldest answer is still inside the window.
 */
export function answerHours(newestFirst: readonly DecisionRecord[], now: Date, deadlineInMs: number): DashboardFigures['hours'] {
  const firstHour = Math.floor(now.getTime() / HOUR_IN_MS) * HOUR_IN_MS - (HOURS_SHOWN - 1) * HOUR_IN_MS;
  const buckets = Array.from({ length: HOURS_SHOWN }, () => ({ latencies: [] as number[], legacyLatencies: [] as number[], legacyShares: [] as number[], byColumn: zeroColumns(), overDeadline: 0 }));
  for (const decision of newestFirst) {
    const index = Math.floor((decision.at.getTime() - firstHour) / HOUR_IN_MS);
    if (index < 0 || index >= HOURS_SHOWN) continue;
    const bucket = buckets[index]!;
    bucket.byColumn[columnOf(decision)] += 1;
    bucket.latencies.push(decision.latencyInMs);
    if (decision.latencyInMs > deadlineInMs) bucket.overDeadline += 1;
    const legacy = decision.legacyLatencyInMs;
    if (legacy !== undefined && legacy !== null) {
      bucket.legacyLatencies.push(legacy);
      // A check cannot take longer than the answer around it; a clock step could say so, and a share stays ≤ 1.
      if (decision.latencyInMs > 0) bucket.legacyShares.push(Math.min(1, legacy / decision.latencyInMs));
    }
  }
  const oldest = newestFirst.at(-1);
  const complete = newestFirst.length < HOURLY_ANSWERS_READ || oldest === undefined || oldest.at.getTime() < firstHour;
  const perHour = buckets.map((bucket, i) => {
    const sorted = bucket.latencies.sort((a, b) => a - b);
    const legacySorted = bucket.legacyLatencies.sort((a, b) => a - b);
    return {
      hour: new Date(firstHour + i * HOUR_IN_MS).toISOString(),
      answers: sorted.length,
      byColumn: bucket.byColumn,
      p50LatencyInMs: percentile(sorted, 0.5),
      p95LatencyInMs: percentile(sorted, 0.95),
      p99LatencyInMs: percentile(sorted, 0.99),
      overDeadline: bucket.overDeadline,
      legacyChecks: legacySorted.length,
      legacyP50LatencyInMs: percentile(legacySorted, 0.5),
      legacyP95LatencyInMs: percentile(legacySorted, 0.95),
      legacyShareP50: percentile(bucket.legacyShares.sort((a, b) => a - b), 0.5),
    };
  });
  return { perHour, complete };
}

/** `percentile_disc(fraction)` of ascending values, as PostgreSQL defines it and `status` uses it; null when empty. */
export function percentile(ascending: readonly number[], fraction: number): number | null {
  if (ascending.length === 0) return null;
  return ascending[Math.max(0, Math.ceil(fraction * ascending.length) - 1)]!;
}

function zeroColumns(): Record<HourlyColumn, number> {
  return Object.fromEntries(HOURLY_COLUMNS.map((column) => [column, 0])) as Record<HourlyColumn, number>;
}

/** A Block is "unavailable" for the reasons `status` counts so (the legacy system could not be asked), else "locked". */
function columnOf(decision: DecisionRecord): HourlyColumn {
  switch (decision.action) {
    case 'Block':
      return (UNAVAILABLE_REASONS as readonly string[]).includes(decision.reason) ? 'Block-unavailable' : 'Block-locked';
    case 'modifyAttributeValues':
      return 'sign-up';
    default:
      return decision.action;
  }
}

/** The anomalies the figures show, the most urgent first; none when all is well. */
export function anomaliesOf(status: StatusFigures, perHour: readonly AnswerHour[]): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const add = (kind: Anomaly['kind'], count: number, advice: string) => count > 0 && anomalies.push({ kind, count, advice });
  add('not-applied', status.notApplied, 'MigratePassword was answered but Entra still flags the account after reconcile\'s grace: run entra-migrate reconcile to list them with correlation ids.');
  add('failed-pre-creation', status.accounts.failed, 'premigrate could not create these accounts: premigrate --failures FILE.csv lists why.');
  add('pending-creation', status.accounts.pendingCreation, 'a premigrate run stopped between creating and recording: the next premigrate resolves them.');
  const today = status.answers.perDay.at(-1);
  add('unavailable-answers', today?.unavailable ?? 0, `answers today said "temporarily unavailable" (${status.answers.unavailableReasons.join(', ')}): check the legacy store.`);
  add('over-deadline', perHour.reduce((sum, hour) => sum + hour.overDeadline, 0), 'answers in the last 24 hours took longer than the deadline: Entra may have failed those sign-ins.');
  return anomalies;
}

/** The actions the ledger records, for the page's daily table (in the order `status` prints them). */
export const DAILY_ACTIONS = DECISION_ACTIONS;
