import { systemClock } from '../common/clock.js';
import type { GraphBatchClient } from '../graph/index.js';
import type { Ledger } from '../ledger/index.js';
import { accountsToReconcile, type ReconcileOptions } from './reconcile.js';
import { BatchDispatcher } from './steps/batch-dispatcher.js';
import { reportedRun, startRunReport } from './run-report/bulk-run-report.js';
import { CUTOVER_COUNTERS } from './run-report/counter-tables.js';
import { countedGraph } from './run-report/graph-traffic.js';
import { dispatchOf, reportingOf } from './steps/bulk-run-options.js';
import { clearFlags, recordRelease, type FlagToClear } from './steps/clear-flags.js';
import { cutoverFateOf } from './steps/cutover-fate.js';
import { emptyCutoverSummary, type CutoverSummary } from './steps/cutover-summary.js';
import { emptyReconcileSummary, listIn } from './steps/reconcile-summary.js';
import { readUsers, type AccountRead, type AccountToRead } from './steps/read-users.js';

export type { CutoverSummary, FlagClearFailure } from './steps/cutover-summary.js';

/** The run's knobs are reconcile's: the same reads, the same dispatcher; `maxAttempts` and `concurrency` hold for the writes too. */
export interface CutoverOptions extends Pick<ReconcileOptions, 'abortSignal' | 'now' | 'sleep' | 'random' | 'maxAttempts' | 'concurrency' | 'pageSize' | 'budgetPerSecond' | 'onWarning'> {
  ledger: Ledger;
  /** GETs of the flag, paced to Graph's read budget (as reconcile's). */
  reader: GraphBatchClient;
  /** PATCHes of the flag, paced to the identity-write budget (as premigrate's); a dry run sends none. */
  writer: GraphBatchClient;
  /** MIGRATION_FLAG_ATTRIBUTE: `extension_<appId>_toBeMigrated`. */
  flagAttribute: string;
  /** False: a dry run — Graph is read, nothing is written, nothing recorded. */
  apply: boolean;
  onProgress?: (summary: CutoverSummary) => void;
}

/**
 * The cut-over of the stragglers at the end of the migration window, with reconcile's machinery: every account the
 * ledger holds as not yet confirmed is read through Graph (`readUsers`: GETs with `$select`, 20 to a `$batch`, paced),
 * and those whose flag is still true are the stragglers. A dry run counts them. With `apply`, each batch's stragglers
 * go on to `clearFlags` (PATCHes through the write pacer) and are recorded `released-by-cutover` one by one, so an
 * interrupted run resumes where it stopped: released accounts are no longer listed, and a flag cleared just before a
 * stop is found cleared and recorded without a write. Migrated accounts are never written to. The run is reported as
 * it goes (`startRunReport`: its record in the ledger, a dry run's too, and the OpenTelemetry counters), every Graph
 * request, read or write, counted on the way (`countedGraph`).
 *
 * The caller removes the listener first (`removeSetup`, as `setup --remove`): from then on Entra calls the extension
 * for nobody, so no MigratePassword can race the flags being cleared.
 *
 * @example
 *   const summary = await cutover({ ledger, reader, writer, flagAttribute, apply: true });
 */
export async function cutover(options: CutoverOptions): Promise<CutoverSummary> {
  const now = options.now ?? systemClock;
  const started = now();
  const summary = emptyCutoverSummary(options.apply);
  const runReport = startRunReport({ table: CUTOVER_COUNTERS, summary, ledger: options.ledger, dryRun: !options.apply, now, ...reportingOf(options, 'cutover') });
  const reader = countedGraph(options.reader, summary);
  const writer = countedGraph(options.writer, summary);
  // readUsers reports into a reconcile summary: its lists are ours, its counts are moved over after each batch.
  const reading = emptyReconcileSummary();
  summary.deletedInEntra = reading.deletedInEntra;
  summary.flagMissing = reading.flagMissing;
  const { abortSignal, ledger } = options;
  const maxAttempts = options.maxAttempts ?? 8;
  const interrupted = () => void (summary.interrupted = true);
  const progress = () => {
    runReport.progress();
    options.onProgress?.({ ...summary, elapsedInMs: now() - started });
  };
  const dispatch = dispatchOf(options, now, { onInterrupted: interrupted, onBatchSettled: progress });

  const writes = new BatchDispatcher<FlagToClear>({
    ...dispatch,
    send: (batch) => clearFlags(batch, { graph: writer, flagAttribute: options.flagAttribute, ledger, summary, maxAttempts, now, random: options.random, abortSignal }),
  });
  /** Sorts the users read out by what cut-over does with them; with `apply`, queues the stragglers' writes. */
  const sortOut = async (read: readonly AccountRead[]) => {
    if (read.length === 0) return;
    const answers = await ledger.migratePasswordAnswers(read.map(({ account }) => account.objectId));
    for (const { account, user } of read) {
      summary.read++;
      const fate = cutoverFateOf(user, account.preCreatedAt, answers.get(account.objectId), now());
      if (fate === 'migrated') summary.migrated++;
      else if (fate === 'flag-missing') listIn(summary.flagMissing, { legacyId: account.legacyId, objectId: account.objectId });
      else if (fate === 'already-cleared') {
        summary.alreadyCleared++;
        if (options.apply) await recordRelease(account, user.lastPasswordChangeAt, { ledger, now });
      } else {
        summary.stragglers++;
        if (fate === 'not-applied') summary.notApplied++;
        if (options.apply) await writes.add({ account, lastPasswordChangeAt: user.lastPasswordChangeAt, attempts: 0, notBefore: 0 });
      }
    }
  };
  const reads = new BatchDispatcher<AccountToRead>({
    ...dispatch,
    send: async (batch) => {
      const { read, again } = await readUsers(batch, { graph: reader, flagAttribute: options.flagAttribute, summary: reading, maxAttempts, now, random: options.random, abortSignal });
      summary.unanswered += reading.unanswered;
      reading.unanswered = 0;
      await sortOut(read);
      return again;
    },
  });

  return reportedRun(runReport, summary, async () => {
    try {
      for await (const account of accountsToReconcile(ledger, false, options.pageSize ?? 1000, abortSignal)) await reads.add({ account, attempts: 0, notBefore: 0 });
      await reads.finish();
      await writes.finish();
    } catch (error) {
      await Promise.all([reads.settle(), writes.settle()]);
      throw error;
    }
    if (abortSignal?.aborted) interrupted();
    summary.releasedInAll = (await ledger.countReconciliations())['released-by-cutover'] ?? 0;
    summary.elapsedInMs = now() - started;
  });
}
