/** A straggler whose flag Graph would not clear: listed with Graph's answer; the next `cutover --apply` tries again. */
export interface FlagClearFailure {
  legacyId: string;
  objectId: string;
  /** Graph's status and error code, never a value of the user. */
  error: string;
}

/**
 * What one cut-over run found and did. Stragglers are the pre-created accounts the ledger holds as not confirmed
 * whose flag Graph still reports true; a dry run counts them, `--apply` clears their flag and records each
 * `released-by-cutover`.
 */
export interface CutoverSummary {
  /** The run's id in the ledger's bulk runs (`listBulkRuns`), picked at start. */
  runId: string;
  /** Graph requests answered (each `$batch` sub-request counts as one), whichever step sent them. */
  graphRequests: number;
  /** False for a dry run: Graph was read, nothing was written. */
  applied: boolean;
  /** Accounts read from Graph this run. */
  read: number;
  /** Flag still true: the accounts to release (dry run) or found to release (apply). */
  stragglers: number;
  /** Of the stragglers, those we answered MigratePassword to that Entra never applied (reconcile's "not applied"). */
  notApplied: number;
  /** Flags cleared and recorded `released-by-cutover` this run. */
  released: number;
  /**
   * Flag already false with no sign of a migration (no MigratePassword of ours, no password change): an earlier
   * `--apply` cleared it and stopped before recording, or someone cleared it by hand. These users have no usable
   * password either: `--apply` records them `released-by-cutover` (and so notifies them) without a write.
   */
  alreadyCleared: number;
  /** Flag false after a migration (by the extension or a reset): untouched, left for reconcile to record and mark. */
  migrated: number;
  failures: FlagClearFailure[];
  /** Users Graph answered 404 for (deleted in Entra): untouched. */
  deletedInEntra: Array<{ legacyId: string; objectId: string }>;
  /** Graph returned no flag (MIGRATION_FLAG_ATTRIBUTE names another attribute?): untouched. */
  flagMissing: Array<{ legacyId: string; objectId: string }>;
  /** Accounts Graph did not answer a read for after every attempt: untouched, read again next run. */
  unanswered: number;
  /** Graph answers with HTTP 429, reads and writes; the pacers waited them out. */
  throttled: number;
  /** Accounts the ledger holds `released-by-cutover` after the run, earlier runs included. */
  releasedInAll: number;
  interrupted: boolean;
  elapsedInMs: number;
}

export function emptyCutoverSummary(applied: boolean): CutoverSummary {
  return {
    runId: '',
    graphRequests: 0,
    applied,
    read: 0,
    stragglers: 0,
    notApplied: 0,
    released: 0,
    alreadyCleared: 0,
    migrated: 0,
    failures: [],
    deletedInEntra: [],
    flagMissing: [],
    unanswered: 0,
    throttled: 0,
    releasedInAll: 0,
    interrupted: false,
    elapsedInMs: 0,
  };
}
