import type { Clock } from '../../common/clock.js';
import { MAX_BATCH_SIZE, sleepUnlessAborted, type Sleep } from '../../graph/index.js';

/** Anything sent in batches: it may wait out a back-off before it is sent (again). */
export interface Queued {
  /** Not to be sent before this time; 0 for at once. */
  notBefore: number;
}

export interface BatchDispatcherOptions<T extends Queued> {
  /** Sends one batch (at most {@link MAX_BATCH_SIZE} items); resolves to the items to send again. */
  send(batch: T[]): Promise<T[]>;
  /** Batches in flight at once; the pacer behind `send`, not this, sets the rate. */
  concurrency: number;
  abortSignal?: AbortSignal | undefined;
  now: Clock;
  /** Waits out the back-off of items to send again; default a timer. */
  sleep?: Sleep | undefined;
  /** Work was left unsent because the run was stopped: the next run resumes it. */
  onInterrupted(): void;
  /** A batch settled, whichever way: for progress reports. */
  onBatchSettled(): void;
}

/**
 * Sends queued items in batches of up to 20, up to `concurrency` batches in flight, items sent again (throttled,
 * a failed dependency, a transient failure) going round once their back-off ends. The first batch that fails as a
 * whole (Graph gone, ledger gone) fails the run. From the abort on nothing new is started: queued items are dropped
 * (they stay `pending` for the next run) and a batch stopped while waiting to send is no failure.
 *
 * @example
 *   const dispatcher = new BatchDispatcher({ send: writeAccounts, concurrency: 4, now, onInterrupted, onBatchSettled });
 *   for await (const account of accounts) await dispatcher.add(account);
 *   await dispatcher.finish();
 */
export class BatchDispatcher<T extends Queued> {
  readonly #options: BatchDispatcherOptions<T>;
  #queue: T[] = [];
  readonly #running = new Set<Promise<void>>();
  /** The first batch that failed as a whole: the run stops and reports it. */
  #failure: { error: unknown } | undefined;

  constructor(options: BatchDispatcherOptions<T>) {
    this.#options = { ...options, concurrency: Math.max(1, options.concurrency) };
  }

  /** Batches in flight now: those an abort lets finish. */
  get batchesInFlight(): number {
    return this.#running.size;
  }

  /** Queues an item; starts every full batch a free slot allows, and waits for a slot when all are busy. */
  async add(item: T): Promise<void> {
    this.#queue.push(item);
    await this.#pump(false);
  }

  /** Sends everything left, waiting out back-offs, until nothing is queued or in flight; rejects with the first failure. */
  async finish(): Promise<void> {
    await this.#pump(true);
    if (this.#failure) throw this.#failure.error;
  }

  /** Lets the batches in flight finish and record what they did (before a failed run is reported). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.#running);
  }

  get #stopped(): boolean {
    return this.#options.abortSignal?.aborted === true;
  }

  #start(batch: T[]): void {
    const { abortSignal } = this.#options;
    // Caught at once, so a batch failing while the source is read is never an unhandled rejection.
    const task: Promise<void> = this.#options
      .send(batch)
      .then((again) => {
        if (again.length > 0 && this.#stopped) this.#options.onInterrupted();
        else this.#queue.push(...again);
      })
      .catch((error: unknown) => {
        // Stopped while waiting to send: nothing was sent, its items stay pending for the next run.
        if (this.#stopped && isAbort(error, abortSignal!)) this.#options.onInterrupted();
        else this.#failure ??= { error };
      })
      .finally(() => {
        this.#running.delete(task);
        this.#options.onBatchSettled();
      });
    this.#running.add(task);
  }

  /** Takes up to a batch of the items due now (their back-off over), in queue order. */
  #takeDue(): T[] {
    const at = this.#options.now();
    const batch: T[] = [];
    this.#queue = this.#queue.filter((item) => (item.notBefore <= at && batch.length < MAX_BATCH_SIZE ? (batch.push(item), false) : true));
    return batch;
  }

  #dueCount(): number {
    const at = this.#options.now();
    return this.#queue.reduce((count, item) => count + (item.notBefore <= at ? 1 : 0), 0);
  }

  /** Until the first back-off in the queue ends, a batch in flight settles, or the abort: whichever comes first. */
  async #waitForWork(): Promise<void> {
    const { abortSignal } = this.#options;
    const waiting = new AbortController();
    const signal = abortSignal ? AbortSignal.any([abortSignal, waiting.signal]) : waiting.signal;
    const wake = Math.max(0, Math.min(...this.#queue.map((item) => item.notBefore)) - this.#options.now());
    try {
      await Promise.race([sleepUnlessAborted(this.#options.sleep, wake, signal).catch(() => undefined), ...this.#running]);
    } finally {
      waiting.abort(); // the timer goes with it: nothing keeps a finished run alive
    }
  }

  /** Starts full batches (every remaining one when `all`) while slots are free; waits for a slot or a back-off otherwise. */
  async #pump(all: boolean): Promise<void> {
    for (;;) {
      if (this.#failure) throw this.#failure.error;
      if (this.#stopped && this.#queue.length > 0) {
        this.#options.onInterrupted();
        this.#queue = [];
      }
      const due = this.#dueCount();
      if (due >= MAX_BATCH_SIZE || (all && due > 0)) {
        if (this.#running.size < this.#options.concurrency) this.#start(this.#takeDue());
        else await Promise.race(this.#running);
      } else if (all && this.#queue.length > 0) await this.#waitForWork();
      else if (all && this.#running.size > 0) await Promise.race(this.#running);
      else return;
    }
  }
}

/** The abort's own rejection (the signal's reason, or an AbortError raised for it). */
function isAbort(error: unknown, abortSignal: AbortSignal): boolean {
  return error === abortSignal.reason || (error instanceof Error && error.name === 'AbortError');
}
