import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { MAX_BATCH_SIZE, sleepUnlessAborted, type DirectoryQuota, type GraphBatchClient, type Sleep } from '../graph/index.js';
import type { Ledger } from '../ledger/index.js';
import { accountBatches, type PendingAccount } from './account-batch.js';
import { FingerprintSet } from './fingerprint-set.js';
import { nextUnlessAborted } from './next-unless-aborted.js';
import type { UserBodyOptions } from './graph-user-body.js';
import { DEFAULT_FIELD_MAP, recordOf, type FieldMap } from './legacy-record.js';
import { emptySummary, skipRow, type PremigrateSummary } from './premigrate-summary.js';
import type { SourceRow } from './sources.js';

export type { PremigrateFailure, PremigrateSummary } from './premigrate-summary.js';

export interface PremigrateOptions {
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
  onProgress?: (progress: PremigrateSummary) => void;
  now?: Clock;
  /** Waits out the back-off of accounts to send again; default a timer. */
  sleep?: Sleep;
  /** For the back-offs' jitter; default Math.random. */
  random?: () => number;
  /** Sends of one account before it is recorded as failed (throttling, 424, server errors). Default 8. */
  maxAttempts?: number;
  /**
   * `$batch` requests in flight at once. Default 4: Graph answers a batch of 20 creates in one to two seconds, so
   * one at a time could not reach the 18 writes/s budget; the pacer, not this, sets the rate.
   */
  concurrency?: number;
}

/**
 * Phase 1: creates every legacy account in Entra through Graph `$batch`, paced to the write budget, recording each
 * in the ledger — `pending` before it is sent, then `created`, `existing` or `failed`. Never twice: a resumed run
 * looks up each account a crash left `pending` before sending it again, and a Graph conflict is resolved by a
 * lookup too. Accounts skipped: those already `created` or `existing` in the ledger. Rows that cannot become an
 * account, and rows repeating an earlier id or e-mail, are failures with their line.
 *
 * @example
 *   const summary = await premigrate({ source: readSource('users.jsonl'), ledger, graph, userBody });
 */
export async function premigrate(options: PremigrateOptions): Promise<PremigrateSummary> {
  const now = options.now ?? systemClock;
  const started = now();
  const map = options.fieldMap ?? DEFAULT_FIELD_MAP;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const { abortSignal } = options;
  const stopped = () => abortSignal?.aborted === true;
  const summary = emptySummary();
  // Duplicates inside the source, in 32 bytes per account however many millions there are.
  const seen = new FingerprintSet();
  const sendBatch = accountBatches({
    graph: options.graph,
    summary,
    userBody: options.userBody,
    methods: options.methods ?? {},
    dryRun: options.dryRun === true,
    maxAttempts: options.maxAttempts ?? 8,
    abortSignal,
    now,
    sleep: options.sleep,
    random: options.random,
    record: async ({ record }, state, entraObjectId, reason) => {
      if (!options.dryRun) await options.ledger.recordAccount({ legacyId: record.id, email: record.email, state, entraObjectId, reason, updatedAt: new Date(now()) });
    },
  });

  // Create, up to `concurrency` batches in flight; throttled or dependent requests go round again.
  let queue: PendingAccount[] = [];
  const running = new Set<Promise<void>>();
  const report = () => options.onProgress?.({ ...summary, batchesInFlight: running.size, elapsedInMs: now() - started });
  /** The first batch that failed as a whole (Graph gone, ledger gone): the run stops and reports it. */
  let failure: { error: unknown } | undefined;
  const start = (batch: PendingAccount[]) => {
    // Caught at once, so a batch failing while the source is read is never an unhandled rejection.
    const task: Promise<void> = sendBatch(batch)
      .then((again) => {
        if (again.length > 0 && stopped()) summary.interrupted = true;
        else queue.push(...again);
      })
      .catch((error: unknown) => {
        // Stopped while waiting to send: nothing was sent, its accounts stay pending for the next run.
        if (stopped() && isAbort(error, abortSignal!)) summary.interrupted = true;
        else failure ??= { error };
      })
      .finally(() => {
        running.delete(task);
        report();
      });
    running.add(task);
  };
  /** Takes up to a batch of the accounts due now (their back-off over), in queue order. */
  const takeDue = (): PendingAccount[] => {
    const at = now();
    const batch: PendingAccount[] = [];
    queue = queue.filter((item) => (item.notBefore <= at && batch.length < MAX_BATCH_SIZE ? (batch.push(item), false) : true));
    return batch;
  };
  const dueCount = () => {
    const at = now();
    return queue.reduce((count, item) => count + (item.notBefore <= at ? 1 : 0), 0);
  };
  /** Until the first back-off in the queue ends, a batch in flight settles, or the abort: whichever comes first. */
  const waitForWork = async () => {
    const waiting = new AbortController();
    const signal = abortSignal ? AbortSignal.any([abortSignal, waiting.signal]) : waiting.signal;
    const wake = Math.max(0, Math.min(...queue.map((item) => item.notBefore)) - now());
    try {
      await Promise.race([sleepUnlessAborted(options.sleep, wake, signal).catch(() => undefined), ...running]);
    } finally {
      waiting.abort(); // the timer goes with it: nothing keeps a finished run alive
    }
  };
  /** Starts full batches (every remaining one when `all`) while slots are free; waits for a slot or a back-off otherwise. */
  const pump = async (all: boolean) => {
    for (;;) {
      if (failure) throw failure.error;
      if (stopped() && queue.length > 0) {
        summary.interrupted = true;
        queue = [];
      }
      const due = dueCount();
      if (due >= MAX_BATCH_SIZE || (all && due > 0)) {
        if (running.size < concurrency) start(takeDue());
        else await Promise.race(running);
      } else if (all && queue.length > 0) await waitForWork();
      else if (all && running.size > 0) await Promise.race(running);
      else return;
    }
  };

  // Heard at once, with the batches still in flight: the command line says what it is waiting for.
  const onAbort = () => report();
  abortSignal?.addEventListener('abort', onAbort, { once: true });
  const rows = options.source[Symbol.asyncIterator]();
  let readToTheEnd = false;
  try {
    for (;;) {
      const next = await nextUnlessAborted(rows, abortSignal);
      if (next === 'aborted') {
        summary.interrupted = true;
        break;
      }
      if (next.done) {
        readToTheEnd = true;
        break;
      }
      const { line, row, error } = next.value;
      summary.read++;
      const mapped = row === null ? { reason: error ?? 'unreadable' } : recordOf(row, map);
      if ('reason' in mapped) {
        skipRow(summary, 'rejected', { legacyId: row === null ? '' : readableId(row, map), reason: mapped.reason, line });
        continue;
      }
      const duplicateId = seen.has(`id:${mapped.id}`);
      if (duplicateId || seen.has(`email:${mapped.email}`)) {
        skipRow(summary, 'duplicates', { legacyId: mapped.id, reason: duplicateId ? 'duplicate id' : 'duplicate e-mail', line });
        continue;
      }
      seen.add(`id:${mapped.id}`);
      seen.add(`email:${mapped.email}`);
      const known = options.dryRun ? undefined : await options.ledger.accountState(mapped.id);
      if (known && (known.state === 'created' || known.state === 'existing')) {
        summary.skipped++;
        continue;
      }
      queue.push({ record: mapped, line, attempts: 0, notBefore: 0, uncertain: known?.state === 'pending' });
      await pump(false);
    }
    await pump(true);
    if (failure) throw failure.error;
  } catch (error) {
    // Let the batches in flight finish and record what they did before failing the run.
    await Promise.allSettled(running);
    throw error;
  } finally {
    abortSignal?.removeEventListener('abort', onAbort);
    // Closes the file or the database cursor; not awaited, since a read may still be pending after an abort.
    if (!readToTheEnd) void Promise.resolve(rows.return?.()).catch(() => undefined);
  }
  if (options.dryRun && options.readQuota && !stopped()) {
    const quota = await options.readQuota();
    summary.quota = quota && { ...quota, fits: quota.used + summary.wouldCreate <= quota.total };
  }
  summary.elapsedInMs = now() - started;
  return summary;
}

/** The row's id when it can be read (a rejected row may still have one), else ''. */
function readableId(row: Readonly<Record<string, unknown>>, map: FieldMap): string {
  const value = row[map.id];
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'bigint' ? String(value) : '';
  return text.length <= 200 ? text : '';
}

/** The abort's own rejection (the signal's reason, or an AbortError raised for it). */
function isAbort(error: unknown, abortSignal: AbortSignal): boolean {
  return error === abortSignal.reason || (error instanceof Error && error.name === 'AbortError');
}
