import { systemClock } from '../common/clock.js';
import type { GraphBatchClient } from '../graph/index.js';
import type { Ledger } from '../ledger/index.js';
import { FingerprintSet } from './fingerprint-set.js';
import { DEFAULT_FIELD_MAP, type FieldMap } from './legacy-record.js';
import type { SourceRow } from './sources.js';
import { reportedRun, startRunReport } from './run-report/bulk-run-report.js';
import { SYNC_COUNTERS } from './run-report/counter-tables.js';
import { countedGraph } from './run-report/graph-traffic.js';
import { dispatchOf, reportingOf, type BulkRunOptions } from './steps/bulk-run-options.js';
import { BatchDispatcher } from './steps/batch-dispatcher.js';
import { DuplicateFilter } from './steps/duplicate-filter.js';
import { mapRow } from './steps/map-row.js';
import { DEFAULT_MAX_DISABLE_PERCENT, massDisableLimit } from './steps/mass-disable-guard.js';
import { sourceRows } from './steps/source-rows.js';
import { syncAccounts } from './steps/sync-accounts.js';
import { syncDecision } from './steps/sync-decision.js';
import { departures } from './steps/sync-departures.js';
import type { SyncItem } from './steps/sync-item.js';
import { emptySyncSummary, type SyncSummary } from './steps/sync-summary.js';

export type { FieldChange, SyncChange, SyncFailure, SyncSummary } from './steps/sync-summary.js';

/** An abort also means nobody is disabled: only a read of the source to its end looks for departures. */
export interface SyncOptions extends BulkRunOptions<SyncSummary> {
  source: AsyncIterable<SourceRow>;
  ledger: Ledger;
  graph: GraphBatchClient;
  /** `ENTRA_TENANT_DOMAIN`: the issuer of the e-mail identity. */
  tenantDomain: string;
  fieldMap?: FieldMap;
  /** Read Graph and list the changes; PATCH nothing, record nothing. `premigrate --sync` without `--apply`. */
  dryRun?: boolean;
  /** `--allow-mass-disable`: disable more accounts in one run than the guard allows. */
  allowMassDisable?: boolean;
  /** The guard's share of the pre-created accounts, in percent. Default 5. */
  maxDisablePercent?: number;
}

/** What the source says of the accounts, row by row. */
type Decision = ReturnType<typeof syncDecision>;

/**
 * Keeps the pre-created accounts up to date with a live legacy system (`premigrate --sync`). The recipe, one step a
 * module in `steps/`: read the source (`sourceRows`), map (`mapRow`), de-duplicate (`DuplicateFilter`), decide per
 * account from the ledger (`syncDecision`: unchanged, compare, disable), compare with Graph and PATCH what differs
 * through the pacer (`BatchDispatcher` sending `syncAccounts`: read, `userPatchOf`, PATCH, `recordProfile`). Disables
 * wait for the end of the source: only a read to the end without an error or an interruption looks for the accounts
 * that left it (`departures`), and the mass-disable guard (`massDisableLimit`) counts every disable before the first
 * is sent. Accounts the ledger does not hold as created or existing are never touched. Resumable: every run
 * compares again what the last one did not record. Reported as it goes (`startRunReport`: the ledger's run record,
 * a dry run's too, and the OpenTelemetry counters), every Graph request counted on the way (`countedGraph`).
 *
 * @example
 *   const summary = await sync({ source: readSource('users.jsonl'), ledger, graph, tenantDomain, dryRun: true });
 */
export async function sync(options: SyncOptions): Promise<SyncSummary> {
  const now = options.now ?? systemClock;
  const started = now();
  const { abortSignal, ledger } = options;
  const summary = emptySyncSummary(options.dryRun === true);
  const runReport = startRunReport({ table: SYNC_COUNTERS, summary, ledger, dryRun: summary.dryRun, now, ...reportingOf(options, 'premigrate-sync') });
  const interrupted = () => void (summary.interrupted = true);
  const report = () => {
    runReport.progress();
    options.onProgress?.({ ...summary, elapsedInMs: now() - started });
  };
  const dispatcher = new BatchDispatcher<SyncItem>({
    send: syncAccounts({ graph: countedGraph(options.graph, summary), ledger, tenantDomain: options.tenantDomain, summary, dryRun: summary.dryRun, maxAttempts: options.maxAttempts ?? 8, now, random: options.random, abortSignal }),
    ...dispatchOf(options, now, { onInterrupted: interrupted, onBatchSettled: report }),
  });
  return reportedRun(runReport, summary, async () => {
    const counts = await ledger.countAccounts();
    const limit = massDisableLimit((counts.created ?? 0) + (counts.existing ?? 0), options.maxDisablePercent ?? DEFAULT_MAX_DISABLE_PERCENT);
    /** Disables held back until the guard has counted them all; kept only up to the limit unless mass disables are allowed. */
    const held: SyncItem[] = [];
    let toDisable = 0;
    const hold = (item: SyncItem) => {
      toDisable++;
      if (options.allowMassDisable || held.length <= limit) held.push(item);
    };

    const onAbort = () => report();
    abortSignal?.addEventListener('abort', onAbort, { once: true });
    try {
      const seen = new FingerprintSet();
      const read = { complete: true };
      for await (const decision of decisions(sourceRows(options.source, abortSignal, interrupted), options, summary, seen, read)) {
        if (decision.kind === 'disable') hold(decision.item);
        else if (decision.kind === 'compare') await dispatcher.add(decision.item);
        else if (decision.kind === 'compare-then-disable') {
          await dispatcher.add({ ...decision.item, enabled: undefined });
          hold({ ...decision.item, compareProfile: false });
        }
      }
      // The compares first: a held disable then reads the user as they left it, and records after them.
      await dispatcher.finish();
      // An interrupted read, or a row without a readable id, says nothing about who left or how many disables there are.
      if (read.complete && !summary.interrupted && !abortSignal?.aborted) {
        summary.departuresChecked = true;
        for await (const item of departures(ledger, seen, abortSignal)) {
          summary.departed++;
          hold(item);
        }
      }
      if (summary.departuresChecked && !abortSignal?.aborted) {
        const refused = toDisable > limit && options.allowMassDisable !== true;
        if (toDisable > 0) summary.massDisable = { wouldDisable: toDisable, limit, refused };
        if (!refused) for (const item of held) await dispatcher.add(item);
      }
      await dispatcher.finish();
    } catch (error) {
      await dispatcher.settle();
      throw error;
    } finally {
      abortSignal?.removeEventListener('abort', onAbort);
    }
    if (abortSignal?.aborted) interrupted();
    summary.elapsedInMs = now() - started;
  });
}

/**
 * Map, de-duplicate, decide: what to do with each source account, in source order. Every id read is remembered in
 * `seen` (rows that cannot become an account too: their account has not left the source); a row without a readable
 * id makes the read incomplete for departures.
 */
async function* decisions(rows: AsyncIterable<SourceRow>, options: SyncOptions, summary: SyncSummary, seen: FingerprintSet, read: { complete: boolean }): AsyncGenerator<Decision> {
  const map = options.fieldMap ?? DEFAULT_FIELD_MAP;
  const duplicates = new DuplicateFilter();
  for await (const row of rows) {
    summary.read++;
    const mapped = mapRow(row, map);
    if ('rejection' in mapped) {
      summary.rejected++;
      if (mapped.rejection.legacyId === '') read.complete = false;
      else seen.add(mapped.rejection.legacyId);
      continue;
    }
    const { record } = mapped;
    seen.add(record.id);
    if (duplicates.reasonToSkip(record)) {
      summary.rejected++;
      continue;
    }
    const [account, profiles] = await Promise.all([options.ledger.accountState(record.id), options.ledger.profiles([record.id])]);
    const decision = syncDecision(record, account, profiles.get(record.id));
    if (decision.kind === 'not-pre-created') summary.notPreCreated++;
    else if (decision.kind === 'unchanged') summary.unchanged++;
    else yield decision;
  }
}
