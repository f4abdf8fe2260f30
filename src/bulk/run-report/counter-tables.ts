import type { PremigrateSummary } from '../premigrate-summary.js';
import type { CutoverSummary } from '../steps/cutover-summary.js';
import type { ReconcileSummary } from '../steps/reconcile-summary.js';
import type { SyncSummary } from '../steps/sync-summary.js';
import { counterTable } from './run-counters.js';

/*
 * The counters of each bulk command: its `--json` keys, as they go to the ledger's run record and to OpenTelemetry
 * (docs/premigrate.md, docs/reconcile.md and docs/cutover.md list them). A list in `--json` (markFailures,
 * deletedInEntra …) is counted by its length: complete up to the 10,000 a summary keeps. Totals over all runs
 * (reconcile's `totals`, cutover's `releasedInAll`) are the ledger's, not a run's, and are not counters.
 */

export const PREMIGRATE_COUNTERS = counterTable<PremigrateSummary>('premigrate', {
  read: (summary) => summary.read,
  results: {
    created: (summary) => summary.created,
    existing: (summary) => summary.existing,
    skipped: (summary) => summary.skipped,
    failed: (summary) => summary.failed,
    rejected: (summary) => summary.rejected,
    duplicates: (summary) => summary.duplicates,
    wouldCreate: (summary) => summary.wouldCreate,
    methodsAdded: (summary) => summary.methodsAdded,
    methodsFailed: (summary) => summary.methodsFailed,
  },
});

export const SYNC_COUNTERS = counterTable<SyncSummary>('premigrate-sync', {
  read: (summary) => summary.read,
  results: {
    rejected: (summary) => summary.rejected,
    notPreCreated: (summary) => summary.notPreCreated,
    compared: (summary) => summary.compared,
    changed: (summary) => summary.changed,
    disabled: (summary) => summary.disabled,
    reenabled: (summary) => summary.reenabled,
    unchanged: (summary) => summary.unchanged,
    failed: (summary) => summary.failed,
    departed: (summary) => summary.departed,
  },
});

export const RECONCILE_COUNTERS = counterTable<ReconcileSummary>('reconcile', {
  read: (summary) => summary.read,
  results: {
    marked: (summary) => summary.marked,
    markFailures: (summary) => summary.markFailures.length,
    deletedInEntra: (summary) => summary.deletedInEntra.length,
    flagMissing: (summary) => summary.flagMissing.length,
    flagClearedElsewhere: (summary) => summary.flagClearedElsewhere.length,
    unanswered: (summary) => summary.unanswered,
  },
  confirmations: {
    'migrated-by-extension': (summary) => summary.states['migrated-by-extension'],
    'migrated-by-reset': (summary) => summary.states['migrated-by-reset'],
    pending: (summary) => summary.states.pending,
    'not-applied': (summary) => summary.states['not-applied'],
    'released-by-cutover': (summary) => summary.states['released-by-cutover'],
  },
});

export const CUTOVER_COUNTERS = counterTable<CutoverSummary>('cutover', {
  read: (summary) => summary.read,
  results: {
    stragglers: (summary) => summary.stragglers,
    notApplied: (summary) => summary.notApplied,
    released: (summary) => summary.released,
    alreadyCleared: (summary) => summary.alreadyCleared,
    migrated: (summary) => summary.migrated,
    failures: (summary) => summary.failures.length,
    deletedInEntra: (summary) => summary.deletedInEntra.length,
    flagMissing: (summary) => summary.flagMissing.length,
    unanswered: (summary) => summary.unanswered,
  },
});
