import type { Clock } from '../../common/clock.js';
import type { Sleep } from '../../graph/index.js';
import type { BulkCommand } from '../../ledger/index.js';

/**
 * How a bulk run (premigrate, premigrate --sync, reconcile, cutover) is driven, beside what it works on: the same
 * for every one of them, as they share the dispatcher, the back-offs and the summaries.
 */
export interface BulkRunOptions<Progress> {
  /**
   * Stops the run: from the abort on nothing new is sent — no batch, no retry; the batches in flight finish and are
   * recorded. `onProgress` hears of it at once.
   */
  abortSignal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  now?: Clock;
  /** Waits out the back-off of accounts to send again; default a timer. */
  sleep?: Sleep;
  /** For the back-offs' jitter; default Math.random. */
  random?: () => number;
  /** Sends of one account before it is left (listed as failed, or for the next run). Default 8. */
  maxAttempts?: number;
  /**
   * `$batch` requests in flight at once. Default 4: Graph answers a batch of 20 in one to two seconds, so one at a
   * time could not use the budget; the pacer behind the client, not this, sets the rate.
   */
  concurrency?: number;
  /**
   * The Graph requests per second the pacers behind the run's clients allow together (the CLI's `--rate` times the
   * app registrations, for instance): kept in the run's ledger record to set its rate against. Default null.
   */
  budgetPerSecond?: number | null;
  /** Hears the one line a run says when its run record cannot be written to the ledger. Default: standard error. */
  onWarning?: (line: string) => void;
}

/** `$batch` requests in flight when a run does not say. */
const DEFAULT_CONCURRENCY = 4;

/**
 * The dispatcher settings (BatchDispatcherOptions but `send`) every bulk run derives alike from its options: the
 * batches in flight, its abort, clock and sleep, and its two hooks.
 *
 * @example
 *   const dispatcher = new BatchDispatcher({ ...dispatchOf(options, now, { onInterrupted, onBatchSettled }), send });
 */
export function dispatchOf(run: BulkRunOptions<never>, now: Clock, hooks: { onInterrupted(): void; onBatchSettled(): void }) {
  return { concurrency: run.concurrency ?? DEFAULT_CONCURRENCY, abortSignal: run.abortSignal, now, sleep: run.sleep, ...hooks };
}

/**
 * What every bulk run passes on to its report (run-report/): the budget, and where its one warning goes.
 *
 * @example
 *   startRunReport({ table, summary, ledger, dryRun, now, ...reportingOf(options, 'premigrate') });
 */
export function reportingOf(run: BulkRunOptions<never>, command: BulkCommand): { budgetPerSecond: number | null; onWarning: (line: string) => void } {
  return { budgetPerSecond: run.budgetPerSecond ?? null, onWarning: run.onWarning ?? ((line) => void process.stderr.write(`entra-migrate ${command}: warning: ${line}\n`)) };
}
