import type { Confirmation } from '../../ledger/index.js';

/** An account Graph has not applied our MigratePassword to: what to give Microsoft support. */
export interface NotAppliedAccount {
  legacyId: string;
  objectId: string;
  /** Our MigratePassword answers' correlation ids, newest first (at most 20): find the sign-ins in Entra's logs. */
  correlationIds: string[];
}

/** An account whose legacy side could not be told; retried on the next run. */
export interface MarkFailure {
  legacyId: string;
  objectId: string;
  /** One line naming the setting and the reason; never a value but the ids. */
  error: string;
}

/**
 * What one reconcile run did. `states` counts the accounts read from Graph this run, by what was recorded; `totals`
 * is the ledger's count of every reconciled account after the run (accounts confirmed by earlier runs included).
 */
export interface ReconcileSummary {
  /** The run's id in the ledger's bulk runs (`listBulkRuns`), picked at start. */
  runId: string;
  /** Graph requests answered (each `$batch` sub-request counts as one), whichever step sent them. */
  graphRequests: number;
  /** Accounts read from Graph this run. */
  read: number;
  states: Record<Confirmation, number>;
  totals: Partial<Record<Confirmation, number>>;
  notApplied: NotAppliedAccount[];
  /** Marks done this run (including marks of accounts an earlier run confirmed and could not mark). */
  marked: number;
  markFailures: MarkFailure[];
  /** Users Graph answered 404 for (deleted in Entra): left as they were, read again next run, never marked. */
  deletedInEntra: Array<{ legacyId: string; objectId: string }>;
  /** Graph returned no flag (removed, or MIGRATION_FLAG_ATTRIBUTE names another attribute): recorded pending. */
  flagMissing: Array<{ legacyId: string; objectId: string }>;
  /** The flag is false without our MigratePassword or a reset: someone else cleared it; recorded pending, never marked. */
  flagClearedElsewhere: Array<{ legacyId: string; objectId: string }>;
  /** Accounts Graph did not answer for after every attempt: left as they were, read again next run. */
  unanswered: number;
  /** Graph answers with HTTP 429; the pacer waited them out (a 503 with Retry-After slows it too, but is not counted here). */
  throttled: number;
  interrupted: boolean;
  elapsedInMs: number;
}

/** Longest lists kept in a summary; the counts are always complete. */
export const MAX_LISTED = 10_000;

export function emptyReconcileSummary(): ReconcileSummary {
  return {
    runId: '',
    graphRequests: 0,
    read: 0,
    states: { 'migrated-by-extension': 0, 'migrated-by-reset': 0, pending: 0, 'not-applied': 0, 'released-by-cutover': 0 },
    totals: {},
    notApplied: [],
    marked: 0,
    markFailures: [],
    deletedInEntra: [],
    flagMissing: [],
    flagClearedElsewhere: [],
    unanswered: 0,
    throttled: 0,
    interrupted: false,
    elapsedInMs: 0,
  };
}

/** Appends to one of the summary's lists unless it holds {@link MAX_LISTED} already. */
export function listIn<T>(list: T[], item: T): void {
  if (list.length < MAX_LISTED) list.push(item);
}
