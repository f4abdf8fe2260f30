import type { DirectoryQuota } from '../../graph/index.js';
import type { PremigrateSummary } from '../premigrate-summary.js';

/**
 * The summary as a progress report takes it: a copy, with the batches in flight and the time so far.
 *
 * @example
 *   onProgress(progressOf(summary, { batchesInFlight: 2, elapsedInMs: 1200 }));
 */
export function progressOf(summary: PremigrateSummary, now: { batchesInFlight: number; elapsedInMs: number }): PremigrateSummary {
  return { ...summary, batchesInFlight: now.batchesInFlight, elapsedInMs: now.elapsedInMs };
}

/**
 * The dry run's last step: reads the tenant's directory quota and says whether the accounts it would create fit
 * (`quota` stays null when Graph does not say).
 *
 * @example
 *   await checkQuota(summary, () => readDirectoryQuota(graph)); // summary.quota.fits
 */
export async function checkQuota(summary: PremigrateSummary, readQuota: () => Promise<DirectoryQuota | null>): Promise<void> {
  const quota = await readQuota();
  summary.quota = quota && { ...quota, fits: quota.used + summary.wouldCreate <= quota.total };
}
