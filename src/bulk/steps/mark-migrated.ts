import type { Clock } from '../../common/clock.js';
import type { Ledger } from '../../ledger/index.js';
import { listIn, type ReconcileSummary } from './reconcile-summary.js';
import type { LegacyMarker } from './legacy-marker.js';

export interface MarkMigratedOptions {
  ledger: Pick<Ledger, 'recordMark'>;
  marker: LegacyMarker;
  summary: ReconcileSummary;
  now: Clock;
}

/**
 * Tells the legacy side that one confirmed account migrated, then records the mark: first the mark, then the
 * ledger, so a crash in between runs the mark again on the next run (at least once; the query must be safe twice)
 * and never loses it. A failed mark is recorded with its error and listed; the next run tries it again. A ledger
 * failure fails the run.
 *
 * @example
 *   await markMigrated({ legacyId: '42', objectId }, confirmedAt, { ledger, marker, summary, now });
 */
export async function markMigrated(account: { legacyId: string; objectId: string }, confirmedAt: Date, options: MarkMigratedOptions): Promise<void> {
  try {
    await options.marker.mark({ legacyId: account.legacyId, objectId: account.objectId, migratedAt: confirmedAt });
  } catch (error) {
    const text = error instanceof Error ? error.message : 'the mark failed';
    await options.ledger.recordMark(account.legacyId, { error: text });
    listIn(options.summary.markFailures, { legacyId: account.legacyId, objectId: account.objectId, error: text });
    return;
  }
  await options.ledger.recordMark(account.legacyId, { doneAt: new Date(options.now()) });
  options.summary.marked++;
}
