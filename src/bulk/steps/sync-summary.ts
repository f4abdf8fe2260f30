/** One property `--sync` changes (or, in a dry run, would change), with what Graph held and what the source holds. */
export interface FieldChange {
  /** `displayName`, `givenName`, `surname`, `mail`, `identities` (the e-mail identity) or `accountEnabled`. */
  name: string;
  /** Graph's value before the change; for `identities`, the e-mail identity's address (null when there was none). */
  old: string | boolean | null;
  new: string | boolean | null;
}

/** What a sync changed (or would change) on one account. */
export interface SyncChange {
  legacyId: string;
  objectId: string;
  fields: FieldChange[];
}

/** An account the sync could not bring up to date; tried again by the next run. */
export interface SyncFailure {
  legacyId: string;
  objectId: string;
  reason: string;
}

/**
 * What one `premigrate --sync` run did (or, in a dry run, would do). An account both changed and disabled counts in
 * `changed` and in `disabled`.
 */
export interface SyncSummary {
  /** The run's id in the ledger's bulk runs (`listBulkRuns`), picked at start. */
  runId: string;
  /** Graph requests answered (each `$batch` sub-request counts as one), whichever step sent them. */
  graphRequests: number;
  dryRun: boolean;
  /** Rows read from the source. */
  read: number;
  /** Rows that cannot become an account (no id, a bad e-mail, an `enabled` that is not true/false), or repeat an earlier id or e-mail. */
  rejected: number;
  /** Source accounts `premigrate` has not created (not in the ledger, or not created/existing): never touched by a sync. */
  notPreCreated: number;
  /** Accounts read from Graph to compare (their fingerprint differed, they have none, or they are to be disabled or enabled). */
  compared: number;
  /** Accounts whose names, mail or e-mail identity were PATCHed. */
  changed: number;
  disabled: number;
  reenabled: number;
  /** Accounts already as the source holds them (same fingerprint, or Graph already held the values). */
  unchanged: number;
  failed: number;
  /** Pre-created accounts the source no longer holds (a complete read only), to disable. */
  departed: number;
  /**
   * Whether accounts missing from the source were looked for: only after the source was read to the end without an
   * error, an interruption or a row without a readable id. When false nobody is disabled, blocked accounts included.
   */
  departuresChecked: boolean;
  /** The mass-disable guard: the disables this run would make, the most it allows, and whether it refused them all. */
  massDisable: { wouldDisable: number; limit: number; refused: boolean } | null;
  /** Graph answers with HTTP 429 (reads and PATCHes); the pacer waited them out. */
  throttled: number;
  interrupted: boolean;
  elapsedInMs: number;
  /** The first 1,000 changes (the dry run's diff). */
  changes: SyncChange[];
  /** The first 1,000 failures. */
  failures: SyncFailure[];
}

/** Entries of `changes` and `failures` kept; the counts are always complete. */
const KEEP = 1000;

export function emptySyncSummary(dryRun: boolean): SyncSummary {
  return {
    runId: '',
    graphRequests: 0,
    dryRun,
    read: 0,
    rejected: 0,
    notPreCreated: 0,
    compared: 0,
    changed: 0,
    disabled: 0,
    reenabled: 0,
    unchanged: 0,
    failed: 0,
    departed: 0,
    departuresChecked: false,
    massDisable: null,
    throttled: 0,
    interrupted: false,
    elapsedInMs: 0,
    changes: [],
    failures: [],
  };
}

/** Counts one account's change by kind and lists it (up to the first 1,000). */
export function countChange(summary: SyncSummary, change: SyncChange): void {
  if (change.fields.some((field) => field.name !== 'accountEnabled')) summary.changed++;
  const enabled = change.fields.find((field) => field.name === 'accountEnabled');
  if (enabled?.new === false) summary.disabled++;
  if (enabled?.new === true) summary.reenabled++;
  if (summary.changes.length < KEEP) summary.changes.push(change);
}

/** Counts and lists (up to the first 1,000) an account that could not be synced. */
export function countFailure(summary: SyncSummary, failure: SyncFailure): void {
  summary.failed++;
  if (summary.failures.length < KEEP) summary.failures.push(failure);
}
