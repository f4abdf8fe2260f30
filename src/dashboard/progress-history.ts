import type { Ledger, ProgressBucket } from '../ledger/index.js';
import type { ProgressPoint } from './data.js';

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
