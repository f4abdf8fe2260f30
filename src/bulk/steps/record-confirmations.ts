import type { Clock } from '../../common/clock.js';
import type { Ledger } from '../../ledger/index.js';
import { listIn, type ReconcileSummary } from './reconcile-summary.js';
import { confirmationOf } from './confirmation-of.js';
import type { LegacyMarker } from './legacy-marker.js';
import { markMigrated } from './mark-migrated.js';
import type { AccountRead } from './read-users.js';

export interface RecordConfirmationsOptions {
  ledger: Pick<Ledger, 'migratePasswordAnswers' | 'recordReconciliation' | 'recordMark'>;
  /** Null when no mark is configured: confirmed accounts wait, unmarked, for one. */
  marker: LegacyMarker | null;
  summary: ReconcileSummary;
  graceInMs: number;
  now: Clock;
}

/**
 * Decides and records where each account read from Graph stands (`confirmationOf`), with our MigratePassword
 * answers from the ledger; marks on the legacy side each one confirmed migrated. An account confirmed by an earlier
 * run keeps its first `confirmedAt` (the `:migratedAt` of its mark).
 *
 * @example
 *   await recordConfirmations(read, { ledger, marker, summary, graceInMs: 30 * 60_000, now });
 */
export async function recordConfirmations(read: readonly AccountRead[], options: RecordConfirmationsOptions): Promise<void> {
  if (read.length === 0) return;
  const answers = await options.ledger.migratePasswordAnswers(read.map(({ account }) => account.objectId));
  const now = options.now();
  for (const { account, user } of read) {
    const ours = answers.get(account.objectId);
    const outcome = confirmationOf({ user, preCreatedAt: account.preCreatedAt, answers: ours, now, graceInMs: options.graceInMs });
    const ids = { legacyId: account.legacyId, objectId: account.objectId };
    if (outcome === 'flag-missing') listIn(options.summary.flagMissing, ids);
    if (outcome === 'flag-cleared-elsewhere') listIn(options.summary.flagClearedElsewhere, ids);
    const confirmation = outcome === 'flag-missing' || outcome === 'flag-cleared-elsewhere' ? 'pending' : outcome;
    const migrated = confirmation === 'migrated-by-extension' || confirmation === 'migrated-by-reset';
    const confirmedAt = migrated ? (account.earlier?.confirmedAt ?? new Date(now)) : null;
    options.summary.read++;
    options.summary.states[confirmation]++;
    if (confirmation === 'not-applied') listIn(options.summary.notApplied, { ...ids, correlationIds: ours?.correlationIds ?? [] });
    await options.ledger.recordReconciliation({ ...ids, confirmation, confirmedAt, lastPasswordChangeAt: user.lastPasswordChangeAt, checkedAt: new Date(now) });
    if (migrated && options.marker) await markMigrated(ids, confirmedAt!, { ledger: options.ledger, marker: options.marker, summary: options.summary, now: options.now });
  }
}
