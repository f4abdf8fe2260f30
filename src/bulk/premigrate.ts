import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import type { DirectoryQuota, GraphBatchClient } from '../graph/index.js';
import type { Ledger } from '../ledger/index.js';
import type { UserBodyOptions } from './graph-user-body.js';
import { identityLookup } from './identity-lookup.js';
import { DEFAULT_FIELD_MAP, type FieldMap } from './legacy-record.js';
import { emptySummary, skipRow, type PremigrateSummary } from './premigrate-summary.js';
import type { SourceRow } from './sources.js';
import { reportedRun, startRunReport } from './run-report/bulk-run-report.js';
import { PREMIGRATE_COUNTERS } from './run-report/counter-tables.js';
import { countedGraph } from './run-report/graph-traffic.js';
import { dispatchOf, reportingOf, type BulkRunOptions } from './steps/bulk-run-options.js';
import { BatchDispatcher } from './steps/batch-dispatcher.js';
import { countWouldCreate } from './steps/count-would-create.js';
import { DuplicateFilter } from './steps/duplicate-filter.js';
import { earlierRun } from './steps/earlier-run.js';
import { mapRow } from './steps/map-row.js';
import { pendingAccount, type PendingAccount } from './steps/pending-account.js';
import { sourceRows } from './steps/source-rows.js';
import { checkQuota, progressOf } from './steps/summarise.js';
import { accountWrites } from './steps/write-accounts.js';

export type { PremigrateFailure, PremigrateSummary } from './premigrate-summary.js';

export interface PremigrateOptions extends BulkRunOptions<PremigrateSummary> {
  source: AsyncIterable<SourceRow>;
  ledger: Ledger;
  /** One app registration's client, or a pool of several (`createGraphClientPool`); each paces itself. */
  graph: GraphBatchClient;
  userBody: UserBodyOptions;
  fieldMap?: FieldMap;
  /** Validate and look up only; write nothing to Graph or the ledger. */
  dryRun?: boolean;
  /**
   * Authentication methods to register for each account created (or found existing): its e-mail as an e-mail
   * method, its phone (when the record has one) as a mobile phone method. An account is recorded only once its
   * methods are in place, so a crash in between is resumed by a lookup and the methods are added then.
   */
  methods?: { email?: boolean; phone?: boolean };
  /** Dry run: reads the tenant's directory quota, to report whether the accounts would fit. */
  readQuota?: () => Promise<DirectoryQuota | null>;
  /**
   * Stops the run at once: from the abort on nothing new is sent — no batch from the source, no retry, no lookup,
   * no method batch not yet started, also once the source has been read to the end. The batches in flight finish
   * and are recorded; accounts they leave `pending` are looked up by the next run. `onProgress` hears of the abort
   * at once, with the batches still in flight.
   */
  abortSignal?: AbortSignal;
}

/**
 * Phase 1: creates every legacy account in Entra through Graph `$batch`, paced to the write budget, recording each
 * in the ledger — `pending` before it is sent, then `created`, `existing` or `failed`. Never twice: a resumed run
 * looks up each account a crash left `pending` before sending it again, and a Graph conflict is resolved by a
 * lookup too. Accounts skipped: those already `created` or `existing` in the ledger. Rows that cannot become an
 * account, and rows repeating an earlier id or e-mail, are failures with their line.
 *
 * The recipe, one step a module in `steps/`: read the source (`sourceRows`), map (`mapRow`), de-duplicate
 * (`DuplicateFilter`), skip what an earlier run finished (`earlierRun`), write in batches through the pacer
 * (`BatchDispatcher` sending `accountWrites`: look up, create, resolve conflicts, send again), record in the ledger
 * (`accountRecords`), summarise (`progressOf`, `checkQuota`). The run is reported as it goes (`startRunReport`): its
 * record in the ledger (a dry run's too: the only thing a dry run writes there) and its counters on the
 * OpenTelemetry meter; every Graph request is counted on the way (`countedGraph`).
 *
 * @example
 *   const summary = await premigrate({ source: readSource('users.jsonl'), ledger, graph, userBody });
 */
export async function premigrate(options: PremigrateOptions): Promise<PremigrateSummary> {
  const now = options.now ?? systemClock;
  const started = now();
  const { abortSignal } = options;
  const summary = emptySummary();
  const dryRun = options.dryRun === true;
  const runReport = startRunReport({ table: PREMIGRATE_COUNTERS, summary, ledger: options.ledger, dryRun, now, ...reportingOf(options, 'premigrate') });
  const counted = { ...options, graph: countedGraph(options.graph, summary) };
  const interrupted = () => void (summary.interrupted = true);
  const report = () => {
    runReport.progress();
    options.onProgress?.(progressOf(summary, { batchesInFlight: dispatcher.batchesInFlight, elapsedInMs: now() - started }));
  };
  const dispatcher = new BatchDispatcher<PendingAccount>({
    ...dispatchOf(options, now, { onInterrupted: interrupted, onBatchSettled: report }),
    send: writeStep(counted, summary, now),
  });

  return reportedRun(runReport, summary, async () => {
    // Heard at once, with the batches still in flight: the command line says what it is waiting for.
    const onAbort = () => report();
    abortSignal?.addEventListener('abort', onAbort, { once: true });
    try {
      const rows = sourceRows(options.source, abortSignal, interrupted);
      for await (const account of accountsToSend(rows, options, summary)) await dispatcher.add(account);
      await dispatcher.finish();
    } catch (error) {
      // Let the batches in flight finish and record what they did before failing the run.
      await dispatcher.settle();
      throw error;
    } finally {
      abortSignal?.removeEventListener('abort', onAbort);
    }
    if (dryRun && options.readQuota && !abortSignal?.aborted) await checkQuota(summary, options.readQuota);
    summary.elapsedInMs = now() - started;
  });
}

/**
 * Map, de-duplicate, skip what an earlier run finished: the accounts to send, in source order. Rows that cannot
 * become an account, and rows repeating an earlier id or e-mail, are counted as failures with their line. A dry run
 * does not read the ledger.
 */
async function* accountsToSend(rows: AsyncIterable<SourceRow>, options: PremigrateOptions, summary: PremigrateSummary): AsyncGenerator<PendingAccount> {
  const map = options.fieldMap ?? DEFAULT_FIELD_MAP;
  const duplicates = new DuplicateFilter();
  for await (const row of rows) {
    summary.read++;
    const mapped = mapRow(row, map);
    if ('rejection' in mapped) {
      skipRow(summary, 'rejected', mapped.rejection);
      continue;
    }
    const { record, line } = mapped;
    const duplicate = duplicates.reasonToSkip(record);
    if (duplicate) {
      skipRow(summary, 'duplicates', { legacyId: record.id, reason: duplicate, line });
      continue;
    }
    const earlier = options.dryRun ? 'none' : await earlierRun(options.ledger, record.id);
    if (earlier === 'done') {
      summary.skipped++;
      continue;
    }
    yield pendingAccount(record, line, { uncertain: earlier === 'pending' });
  }
}

/** How a batch is written: created through Graph and recorded in the ledger, or, in a dry run, only looked up. */
function writeStep(options: PremigrateOptions, summary: PremigrateSummary, now: Clock): (batch: PendingAccount[]) => Promise<PendingAccount[]> {
  if (options.dryRun) return countWouldCreate(identityLookup(options.graph, options.userBody.tenantDomain), summary, options.abortSignal);
  return accountWrites({
    graph: options.graph,
    ledger: options.ledger,
    summary,
    userBody: options.userBody,
    methods: options.methods ?? {},
    maxAttempts: options.maxAttempts ?? 8,
    abortSignal: options.abortSignal,
    now,
    sleep: options.sleep,
    random: options.random,
  });
}
