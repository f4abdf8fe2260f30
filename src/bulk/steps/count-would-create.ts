import type { identityLookup } from '../identity-lookup.js';
import type { PremigrateSummary } from '../premigrate-summary.js';
import { emailsOf } from './look-up-existing.js';
import type { PendingAccount } from './pending-account.js';

/**
 * The dry run's batch: looks its accounts up and counts them as `existing` or `wouldCreate`; writes nothing and
 * sends nothing again. An account the lookup did not answer for counts as one to create, unless the run was
 * stopped (then the run is interrupted).
 *
 * @example
 *   const send = countWouldCreate(identityLookup(graph, tenantDomain), summary, abortSignal);
 */
export function countWouldCreate(
  lookUp: ReturnType<typeof identityLookup>,
  summary: PremigrateSummary,
  abortSignal?: AbortSignal,
): (batch: PendingAccount[]) => Promise<PendingAccount[]> {
  return async (batch) => {
    const found = await lookUp(emailsOf(batch), abortSignal);
    for (const { record } of batch) {
      if (found.get(record.email)) summary.existing++;
      else if (found.has(record.email) || !abortSignal?.aborted) summary.wouldCreate++;
      else summary.interrupted = true;
    }
    return [];
  };
}
