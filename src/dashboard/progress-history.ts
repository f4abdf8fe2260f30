import type { Ledger, ProgressBucket } from '../ledger/index.js';

/** Where the migration stands at one instant: the progress chart's point. */
export interface ProgressPoint {
  at: string;
  preCreated: number;
  migratedByExtension: number;
  migratedByReset: number;
  migratedBySignUp: number;
  /** Pre-created accounts neither migrated nor released: needing a new password, blocked, tried, never signed in, not applied. */
  remaining: number;
}

const HOUR_IN_MS = 3_600_000;
/** Days of progress the chart draws: the fortnight of the daily answers table, hour by hour (337 points at most). */
export const PROGRESS_DAYS_SHOWN = 14;
/** One point per hour: fine enough to see a premigrate run or a morning's sign-ins, coarse enough to stay a few KB. */
export const PROGRESS_BUCKET_IN_MS = HOUR_IN_MS;

/**
 * The progress chart's points, from the ledger (`progressHistory`), not from what a page saw while open: one per UTC
 * hour of the last {@link PROGRESS_DAYS_SHOWN} days, the last at `now` (where the figures stand). Hours before the
 * first pre-creation are left out but for one, so the curve starts from zero and a young migration fills the chart.
 *
 * @example
 *   const points = await progressOverTime(ledger, new Date());
 *   points.at(-1); // where the migration stands now, as the figures say
 */
export async function progressOverTime(ledger: Ledger, now: Date): Promise<ProgressPoint[]> {
  const since = new Date(Math.floor(now.getTime() / HOUR_IN_MS) * HOUR_IN_MS - PROGRESS_DAYS_SHOWN * 24 * HOUR_IN_MS);
  const buckets = await ledger.progressHistory({ since, until: now, bucketInMs: PROGRESS_BUCKET_IN_MS });
  return withoutLeadingEmptyHours(buckets).map(pointOf);
}

/** 60 s: how long the hours already past are reused; the point now is always fresh. */
export const PROGRESS_REREAD_AFTER_IN_MS = 60_000;

/**
 * The progress points, read from the ledger at most once a minute (and whenever a new hour starts); the figures put
 * their own point now in place of the reading's last ({@link withLivePoint}). The hours already past change only when reconcile confirms an account
 * with an earlier time; the point now changes with every sign-in, and comes from the figures. On a ledger of 100,000
 * accounts the query takes 150–300 ms; the page polls every 3 s.
 *
 * @example
 *   const history = new ProgressHistoryCache(ledger);
 *   const points = withLivePoint(await history.points(now), figures.progress); // points.at(-1) === figures.progress
 */
export class ProgressHistoryCache {
  readonly #ledger: Ledger;
  readonly #rereadAfterInMs: number;
  #read: { at: number; hour: number; points: Promise<ProgressPoint[]> } | undefined;

  constructor(ledger: Ledger, options: { rereadAfterInMs?: number } = {}) {
    this.#ledger = ledger;
    this.#rereadAfterInMs = options.rereadAfterInMs ?? PROGRESS_REREAD_AFTER_IN_MS;
  }

  /** The points of the last reading (its own last point is from then: see {@link withLivePoint}). */
  points(now: Date): Promise<ProgressPoint[]> {
    const hour = Math.floor(now.getTime() / HOUR_IN_MS);
    const read = this.#read;
    if (read === undefined || read.hour !== hour || now.getTime() - read.at >= this.#rereadAfterInMs || now.getTime() < read.at) {
      const points = progressOverTime(this.#ledger, now);
      points.catch(() => (this.#read = undefined)); // a failed reading is not reused
      this.#read = { at: now.getTime(), hour, points };
      return points;
    }
    return read.points;
  }
}

/** The hours past of a reading, and the figures' point now in place of the reading's own last point. */
export function withLivePoint(points: readonly ProgressPoint[], live: ProgressPoint): ProgressPoint[] {
  return [...points.slice(0, -1).filter((point) => point.at < live.at), live];
}

/** From the last empty bucket before the first that holds anything; only the last bucket when none does. */
export function withoutLeadingEmptyHours(buckets: readonly ProgressBucket[]): ProgressBucket[] {
  const first = buckets.findIndex((bucket) => bucket.preCreated > 0 || bucket.migratedBySignUp > 0);
  if (first === -1) return buckets.slice(-1);
  return buckets.slice(Math.max(0, first - 1));
}

function pointOf(bucket: ProgressBucket): ProgressPoint {
  return {
    at: bucket.at.toISOString(),
    preCreated: bucket.preCreated,
    migratedByExtension: bucket.migratedByExtension,
    migratedByReset: bucket.migratedByReset,
    migratedBySignUp: bucket.migratedBySignUp,
    remaining: bucket.remaining,
  };
}
