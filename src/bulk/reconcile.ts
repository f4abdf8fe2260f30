import { systemClock } from '../common/clock.js';
import type { GraphBatchClient } from '../graph/index.js';
import { MIGRATED_CONFIRMATIONS, type AccountToReconcile, type Ledger } from '../ledger/index.js';
import { reportedRun, startRunReport } from './run-report/bulk-run-report.js';
import { RECONCILE_COUNTERS } from './run-report/counter-tables.js';
import { countedGraph } from './run-report/graph-traffic.js';
import { dispatchOf, reportingOf, type BulkRunOptions } from './steps/bulk-run-options.js';
import { emptyReconcileSummary, type ReconcileSummary } from './steps/reconcile-summary.js';
import { BatchDispatcher } from './steps/batch-dispatcher.js';
import type { LegacyMarker } from './steps/legacy-marker.js';
import { markMigrated } from './steps/mark-migrated.js';
import { readUsers, type AccountToRead } from './steps/read-users.js';
import { recordConfirmations } from './steps/record-confirmations.js';

export type { MarkFailure, NotAppliedAccount, ReconcileSummary } from './steps/reconcile-summary.js';
export type { LegacyMarker, MigratedAccount } from './steps/legacy-marker.js';

export interface ReconcileOptions extends BulkRunOptions<ReconcileSummary> {
  ledger: Ledger;
  /** Reads only: every request reconcile sends is a GET. */
  graph: GraphBatchClient;
  /** MIGRATION_FLAG_ATTRIBUTE: `extension_<appId>_toBeMigrated`. */
  flagAttribute: string;
  /** Tells the legacy side; null when neither LEGACY_MARK_MIGRATED_QUERY nor a URL is set. */
  marker: LegacyMarker | null;
  /** `--grace` in ms: our MigratePassword answers younger than this are still pending, not "not applied". Default 30 min. */
  graceInMs?: number;
  /** Accounts read from the ledger per page. Default 1000. */
  pageSize?: number;
}

/** 30 minutes: Entra applies our MigratePassword within the sign-in; half an hour leaves room for a sign-in in progress. */
export const DEFAULT_GRACE_IN_MS = 30 * 60_000;

/**
 * Learns, through Graph, which pre-created accounts have migrated, and tells the legacy side. For every account the
 * ledger holds as not yet confirmed, in legacy-id order, page by page: a GET of its flag and
 * `lastPasswordChangeDateTime` in batches of 20 through the pacer (`readUsers`), the state decided with our
 * MigratePassword answers and recorded (`recordConfirmations`), and each account confirmed migrated marked once
 * (`markMigrated`). Accounts an earlier run confirmed but could not mark are marked without a GET. Pending and
 * not-applied accounts are read again on every run; confirmed ones never. Each run is reported as it goes
 * (`startRunReport`: its record in the ledger and the OpenTelemetry counters), every Graph request counted on the
 * way (`countedGraph`).
 *
 * @example
 *   const summary = await reconcile({ ledger, graph, flagAttribute, marker: await openSqlMarker(url, query) });
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileSummary> {
  const now = options.now ?? systemClock;
  const started = now();
  const summary = emptyReconcileSummary();
  const { abortSignal, ledger, marker } = options;
  const runReport = startRunReport({ table: RECONCILE_COUNTERS, summary, ledger, dryRun: false, now, ...reportingOf(options, 'reconcile') });
  const graph = countedGraph(options.graph, summary);
  const interrupted = () => void (summary.interrupted = true);
  const record = { ledger, marker, summary, graceInMs: options.graceInMs ?? DEFAULT_GRACE_IN_MS, now };
  const progress = () => {
    runReport.progress();
    options.onProgress?.({ ...summary, elapsedInMs: now() - started });
  };
  const dispatcher = new BatchDispatcher<AccountToRead>({
    send: async (batch) => {
      const { read, again } = await readUsers(batch, { graph, flagAttribute: options.flagAttribute, summary, maxAttempts: options.maxAttempts ?? 8, now, random: options.random, abortSignal });
      await recordConfirmations(read, record);
      return again;
    },
    ...dispatchOf(options, now, { onInterrupted: interrupted, onBatchSettled: progress }),
  });
  return reportedRun(runReport, summary, async () => {
    try {
      for await (const account of accountsToReconcile(ledger, marker !== null, options.pageSize ?? 1000, abortSignal)) {
        const confirmed = account.earlier && MIGRATED_CONFIRMATIONS.includes(account.earlier.confirmation);
        if (confirmed && marker) await markMigrated(account, account.earlier!.confirmedAt ?? new Date(now()), { ledger, marker, summary, now });
        else await dispatcher.add({ account, attempts: 0, notBefore: 0 });
      }
      await dispatcher.finish();
    } catch (error) {
      await dispatcher.settle();
      throw error;
    }
    if (abortSignal?.aborted) interrupted();
    summary.totals = await ledger.countReconciliations();
    summary.elapsedInMs = now() - started;
  });
}

/** The accounts to look at, page by page in legacy-id order; with a marker, also those confirmed but not marked. `cutover` walks the same. */
export async function* accountsToReconcile(ledger: Ledger, unmarked: boolean, pageSize: number, abortSignal: AbortSignal | undefined): AsyncGenerator<AccountToReconcile> {
  let after = '';
  while (!abortSignal?.aborted) {
    const page = await ledger.listToReconcile({ after, limit: pageSize, unmarked });
    yield* page;
    if (page.length < pageSize) return;
    after = page.at(-1)!.legacyId;
  }
}
