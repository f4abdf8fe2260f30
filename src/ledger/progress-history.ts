import { MIGRATED_BY_SIGN_UP, SIGN_UP_OBJECT_ID } from './decision-record.js';
import { LedgerError, LedgerErrorCode } from './errors.js';

/**
 * The migration's progress over a time range, cut into equal buckets: where it stood at the end of each. For the
 * dashboard's chart, read from the ledger rather than from what a page saw while it was open.
 *
 * The ledger keeps where each account stands now, and some of the moments it moved: when it was pre-created
 * (`premigration_accounts.updated_at`), our first MigratePassword answer for it, the sign-up that linked it, and when
 * reconcile confirmed it (`confirmed_at`, else when it read Graph). Each account is drawn in the standing it has now
 * (the standings of `status`, see status-queries.ts), from the first moment that explains it, never before it was
 * pre-created; so the last point equals the `status` figures, and a path an account took on the way (answered, then
 * found not applied) is not replayed.
 */
export interface ProgressHistoryFilter {
  /** The start of the first bucket. */
  since: Date;
  /** The end of the last bucket (its last point); the last bucket may be shorter than the others. */
  until: Date;
  /** Each bucket's length, in ms: at least {@link MIN_PROGRESS_BUCKET_IN_MS}, at most {@link MAX_PROGRESS_BUCKETS} buckets. */
  bucketInMs: number;
}

/** Where the migration stood at the end of one bucket (cumulative counts, as `status` names them). */
export interface ProgressBucket {
  /** The bucket's end: the instant the counts describe. */
  at: Date;
  /** Pre-created (created, or found existing) by then. */
  preCreated: number;
  /** Migrated by the extension: confirmed by reconcile, or MigratePassword answered and not confirmed otherwise. */
  migratedByExtension: number;
  /** Confirmed by reconcile as migrated by a password reset. */
  migratedByReset: number;
  /** Legacy accounts linked at sign-up (distinct legacy ids), at their first such answer. */
  migratedBySignUp: number;
  /** Released by `cutover`. */
  releasedByCutover: number;
  /** Pre-created and neither migrated nor released. */
  remaining: number;
}

/** 1000 buckets: a chart of a few hundred pixels has no use for more, and the answer stays a few kilobytes. */
export const MAX_PROGRESS_BUCKETS = 1000;
/** 1 s: a finer bucket says nothing the ledger's timestamps can back. */
export const MIN_PROGRESS_BUCKET_IN_MS = 1000;

/** The kinds of moment the query counts, one column of {@link ProgressBucket} each. */
type MomentKind = 'preCreated' | 'migratedByExtension' | 'migratedByReset' | 'migratedBySignUp' | 'releasedByCutover';

/** Checks the range before any query: valid dates, since before until, a bucket of at least 1 s, a bounded count. */
export function checkProgressRange(filter: ProgressHistoryFilter): number {
  const valid = (date: unknown) => date instanceof Date && !Number.isNaN(date.getTime());
  const refuse = (problem: string) => new LedgerError(LedgerErrorCode.RECORD_INVALID, `A progress query was refused: ${problem}.`);
  if (typeof filter !== 'object' || filter === null || !valid(filter.since) || !valid(filter.until)) throw refuse('since and until must be valid dates');
  if (filter.since >= filter.until) throw refuse('since must be before until');
  if (!(Number.isSafeInteger(filter.bucketInMs) && filter.bucketInMs >= MIN_PROGRESS_BUCKET_IN_MS)) throw refuse(`bucketInMs must be a whole number ≥ ${MIN_PROGRESS_BUCKET_IN_MS}`);
  const buckets = Math.ceil((filter.until.getTime() - filter.since.getTime()) / filter.bucketInMs);
  if (buckets > MAX_PROGRESS_BUCKETS) throw refuse(`at most ${MAX_PROGRESS_BUCKETS} buckets (this range holds ${buckets}); choose a longer bucket`);
  return buckets;
}

/**
 * The moments per kind and bucket, for both drivers: bucket -1 holds everything before `since`; moments after `until`
 * are not counted (one at `until` is: the last point, at now, holds what was recorded at now). `epochMs(x)` is the
 * driver's expression of a time column in ms since the epoch; the placeholders `p(1)`, `p(2)`, `p(3)` are since and
 * until in ms and the bucket length.
 *
 * Per pre-created account: its pre-creation, and, for the standing it has now, the moment it moved, at the earliest
 * its pre-creation. One pass over the accounts (materialised, then counted twice), joined to their reconciliation
 * (primary key) and to the first MigratePassword/UpdatePassword answers per object id (grouped once, from the
 * `(action, object_id, at)` index of migration 008 alone); then the sign-ups (the `(object_id, action, reason)` index).
 * Times are converted to ms only once per account, not per answer.
 */
export function progressMomentsSql(dialect: ProgressDialect): string {
  const { epochMs, p, greatest, wholeDivision } = dialect;
  const bucket = (moment: string) => `CASE WHEN ${moment} < ${p(1)} THEN -1 ELSE ${wholeDivision(`${moment} - ${p(1)}`, p(3))} END`;
  const moved = `${greatest}(created_ms, moved_ms)`;
  return `WITH answers AS MATERIALIZED (
      SELECT object_id, min(CASE WHEN action = 'MigratePassword' THEN at END) AS first_migrate_at, min(at) AS first_answer_at
      FROM jit_decisions WHERE action IN ('MigratePassword', 'UpdatePassword') GROUP BY object_id
    ), accounts AS MATERIALIZED (
      SELECT ${epochMs('p.updated_at')} AS created_ms,
        CASE WHEN r.confirmation = 'migrated-by-extension' THEN 'migratedByExtension'
             WHEN r.confirmation = 'migrated-by-reset' THEN 'migratedByReset'
             WHEN r.confirmation = 'released-by-cutover' THEN 'releasedByCutover'
             WHEN r.confirmation = 'not-applied' THEN NULL
             WHEN d.first_migrate_at IS NOT NULL THEN 'migratedByExtension' END AS kind,
        CASE WHEN r.confirmation = 'migrated-by-extension' THEN ${epochMs('coalesce(d.first_answer_at, r.confirmed_at, r.checked_at)')}
             WHEN r.confirmation IN ('migrated-by-reset', 'released-by-cutover') THEN ${epochMs('coalesce(r.confirmed_at, r.checked_at)')}
             ELSE ${epochMs('d.first_migrate_at')} END AS moved_ms
      FROM premigration_accounts p
      LEFT JOIN reconciliations r ON r.legacy_id = p.legacy_id
      LEFT JOIN answers d ON d.object_id = p.entra_object_id
      WHERE p.state IN ('created', 'existing')
    )
    SELECT 'preCreated' AS kind, ${bucket('created_ms')} AS bucket, count(*) AS n FROM accounts WHERE created_ms <= ${p(2)} GROUP BY 2
    UNION ALL
    SELECT kind, ${bucket(moved)}, count(*) FROM accounts WHERE kind IS NOT NULL AND ${moved} <= ${p(2)} GROUP BY 1, 2
    UNION ALL
    SELECT 'migratedBySignUp', ${bucket('first_ms')}, count(*) FROM (
      SELECT min(${epochMs('at')}) AS first_ms FROM jit_decisions
      WHERE object_id = '${SIGN_UP_OBJECT_ID}' AND action = 'modifyAttributeValues' AND reason = '${MIGRATED_BY_SIGN_UP}' AND legacy_id IS NOT NULL GROUP BY legacy_id) s
    WHERE first_ms <= ${p(2)} GROUP BY 2`;
}

/** How a driver writes what the query needs. */
export interface ProgressDialect {
  /** A time column (or expression) as whole ms since the epoch. */
  epochMs: (column: string) => string;
  /** Placeholder n (1-based). */
  p: (n: number) => string;
  /** The larger of two values: SQLite's two-argument `max`, PostgreSQL's `greatest`. */
  greatest: string;
  /** The whole quotient of two non-negative values. */
  wholeDivision: (dividend: string, divisor: string) => string;
}

/** A row of {@link progressMomentsSql} (PostgreSQL gives bigint and numeric as text). */
export interface ProgressMomentRow {
  kind: MomentKind;
  bucket: number | string;
  n: number | string;
}

/** The buckets, oldest first, each with the counts up to its end, from the moments per kind and bucket. */
export function progressOfRows(filter: ProgressHistoryFilter, buckets: number, rows: readonly ProgressMomentRow[]): ProgressBucket[] {
  const kinds: MomentKind[] = ['preCreated', 'migratedByExtension', 'migratedByReset', 'migratedBySignUp', 'releasedByCutover'];
  const added = new Map(kinds.map((kind) => [kind, new Array<number>(buckets + 1).fill(0)])); // index 0: before since
  for (const row of rows) {
    const perBucket = added.get(row.kind);
    const index = Math.min(Number(row.bucket), buckets - 1) + 1; // a moment at until falls on the last bucket's end
    if (perBucket !== undefined && index >= 0) perBucket[index] = (perBucket[index] ?? 0) + Number(row.n);
  }
  const total = Object.fromEntries(kinds.map((kind) => [kind, added.get(kind)![0]!])) as Record<MomentKind, number>;
  const since = filter.since.getTime();
  return Array.from({ length: buckets }, (_, i) => {
    for (const kind of kinds) total[kind] += added.get(kind)![i + 1]!;
    return {
      at: new Date(Math.min(since + (i + 1) * filter.bucketInMs, filter.until.getTime())),
      ...total,
      remaining: total.preCreated - total.migratedByExtension - total.migratedByReset - total.releasedByCutover,
    };
  });
}
