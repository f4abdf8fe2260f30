import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { checkDecisionRecord, type DecisionRecord } from './decision-record.js';
import { LedgerError, LedgerErrorCode } from './errors.js';
import { checkEventCallRecord, type EventCallRecord } from './event-call.js';
import type { Ledger } from './ledger.js';

/**
 * Most rows in one transaction: a batch of 200 decisions is one PostgreSQL statement of eight 200-element arrays
 * (a few ms), short enough that a retry after an outage does not hold up new rows for long.
 */
const DEFAULT_MAX_BATCH_ROWS = 200;
/**
 * Most rows held while the ledger fails: 100,000 decisions took 42 MB of heap (measured, two UUIDs per row); at
 * Entra's ~50 sign-ins/s, about 33 minutes of outage. Past it the oldest row is dropped, and logged.
 */
const DEFAULT_MAX_HELD_ROWS = 100_000;
/** The first wait after a failed write, in ms; doubled at each further failure up to the cap. */
const DEFAULT_FIRST_RETRY_IN_MS = 100;
/** The longest wait between two attempts while the ledger fails, in ms: a ledger back up is written to within 5 s. */
const DEFAULT_MAX_RETRY_IN_MS = 5000;
/** How long `close()` keeps trying to write what is held, in ms: inside a container's default 30 s grace period. */
const DEFAULT_CLOSE_TIMEOUT_IN_MS = 5000;

export interface LedgerWriteBehindOptions {
  logger: Logger;
  clock?: Clock;
  /** Default 200. */
  maxBatchRows?: number;
  /** Default 100,000 (about 42 MB). */
  maxHeldRows?: number;
  /**
   * How long a row waits for others before a write starts, in ms. Default 0: a row queued while no write is on its
   * way starts one at the end of this turn of the event loop (`setImmediate`), with every row queued in the same
   * turn, and the rows that arrive while it is on its way make the next batch (group commit) — batches grow with the
   * load and an idle server records each answer within a round trip. The turn matters for the embedded SQLite
   * ledger, which writes synchronously: the answers that finish together share one transaction, instead of one
   * commit (a WAL frame for each of the table's seven B-trees) per answer.
   */
  flushDelayInMs?: number;
  /** Default 100 ms. */
  firstRetryInMs?: number;
  /** Default 5000 ms. */
  maxRetryInMs?: number;
  /** Default 5000 ms. */
  closeTimeoutInMs?: number;
  /** A fresh batch id; default a random UUID. */
  newBatchId?: () => string;
}

/** What the queue holds and has done since it opened, for metrics. */
export interface LedgerWriteBehindStats {
  /** Rows waiting to be written, including those of the write on its way. */
  heldRows: number;
  writtenRows: number;
  /** Rows that could not be recorded (each logged with its correlation id): over the bound, refused, or left at close. */
  droppedRows: number;
  /** Whether the last write failed (the ledger is unreachable or failing): rows are held and retried. */
  failing: boolean;
}

/** `serve`'s ledger writes, off the request path: see {@link openLedgerWriteBehind}. */
export interface LedgerWriteBehind {
  /** Queues one decision; returns at once. An invalid record is logged as not recorded and not queued. */
  recordDecision(record: DecisionRecord): void;
  /** Queues one event call's audit row; returns at once. */
  recordEventCall(record: EventCallRecord): void;
  /** Starts writing now; resolves when nothing is held, or when a write failed (the rows stay held). */
  flush(): Promise<void>;
  stats(): LedgerWriteBehindStats;
  /**
   * Writes what is held, for at most `closeTimeoutInMs`, then logs each row that could not be written. Does not
   * close the ledger. Idempotent; rows queued after it are logged as not recorded.
   */
  close(): Promise<void>;
}

type Entry = { kind: 'decision'; record: DecisionRecord } | { kind: 'eventCall'; record: EventCallRecord };
/** Rows of one kind written together under one id; the id is kept for every retry of exactly these rows. */
interface Batch {
  id: string;
  kind: Entry['kind'];
  entries: Entry[];
}
type WriteResult = 'written' | 'refused' | 'failed';

/**
 * A write-behind queue in front of the ledger: `serve` queues each decision and event call synchronously after its
 * answer, and the queue writes them in batches, one transaction each (`recordDecisions`, `recordEventCalls`).
 *
 * When the ledger fails, no row is lost while fewer than `maxHeldRows` are held:
 * - a write that fails (the database unreachable, restarting, out of connections …) keeps its rows and is retried,
 *   with the same batch id, after 100 ms, 200 ms … up to 5 s between attempts. A batch whose COMMIT took effect but
 *   whose answer was lost is therefore not written twice (the ledger skips a batch id it has seen, migration 009).
 *   One warning is logged when writes start failing and one info line when the rows held have been written again.
 * - a batch the ledger refuses for its rows (a value out of range, a constraint; `LEDGER_RECORD_INVALID`) is written
 *   again row by row, and the one row refused is logged as not recorded: one bad row never blocks the others.
 * - past `maxHeldRows`, the oldest held row is dropped and logged with its correlation id, "could not be recorded".
 *
 * @example
 *   const writes = openLedgerWriteBehind(ledger, { logger });
 *   writes.recordDecision(decision); // returns at once
 *   await writes.close(); // then ledger.close()
 */
export function openLedgerWriteBehind(ledger: Ledger, options: LedgerWriteBehindOptions): LedgerWriteBehind {
  const log = options.logger.child({ name: 'ledger:write-behind' });
  const clock = options.clock ?? systemClock;
  const maxBatchRows = options.maxBatchRows ?? DEFAULT_MAX_BATCH_ROWS;
  const maxHeldRows = Math.max(1, options.maxHeldRows ?? DEFAULT_MAX_HELD_ROWS);
  const flushDelayInMs = options.flushDelayInMs ?? 0;
  const firstRetryInMs = options.firstRetryInMs ?? DEFAULT_FIRST_RETRY_IN_MS;
  const maxRetryInMs = options.maxRetryInMs ?? DEFAULT_MAX_RETRY_IN_MS;
  const closeTimeoutInMs = options.closeTimeoutInMs ?? DEFAULT_CLOSE_TIMEOUT_IN_MS;
  const newBatchId = options.newBatchId ?? randomUUID;

  const queue = new EntryQueue();
  /** Batches taken from the queue and not yet written, oldest first; their ids never change. */
  let pending: Batch[] = [];
  let pendingRows = 0;
  /** Rows still to be written one per batch, after a batch was refused. */
  let oneByOne = 0;
  const counts = { written: 0, dropped: 0 };
  let outage: { since: number; code: string; heldRows: number; droppedRows: number } | undefined;
  let recovery: { since: number; outageInMs: number; heldRows: number; writtenRows: number; droppedRows: number } | undefined;
  let retryInMs = firstRetryInMs;

  let pumping: Promise<void> | undefined;
  let scheduled: { cancel(): void } | undefined;
  let wakeSleeper: (() => void) | undefined;
  let flushWaiters: Array<() => void> = [];
  let closing: Promise<void> | undefined;
  let closeDeadline = Infinity;
  let abandoned = false;

  const heldRows = () => queue.length + pendingRows;

  const dropped = (entry: Entry, why: string, fields: Record<string, unknown> = {}) => {
    counts.dropped++;
    if (outage) outage.droppedRows++;
    const what = entry.kind === 'decision' ? 'a decision' : 'an event call';
    log.error(
      { correlationId: entry.record.correlationId, ...(entry.kind === 'eventCall' && { event: entry.record.event }), ...fields },
      `${what} could not be recorded in the ledger: ${why}`,
    );
  };

  const enqueue = (entry: Entry) => {
    if (closing) return dropped(entry, 'serve is stopping');
    try {
      if (entry.kind === 'decision') checkDecisionRecord(entry.record);
      else checkEventCallRecord(entry.record);
    } catch (error) {
      return dropped(entry, 'the record is invalid (a bug: please report it)', { code: codeOf(error), reason: error instanceof LedgerError ? error.publicMessage : undefined });
    }
    if (heldRows() >= maxHeldRows) {
      const oldest = queue.shift();
      if (oldest === undefined) return dropped(entry, `${maxHeldRows} rows are already held while the ledger fails`);
      dropped(oldest, `${maxHeldRows} rows are already held while the ledger fails; the oldest is dropped`);
    }
    queue.push(entry);
    schedule();
  };

  const schedule = () => {
    if (pumping || scheduled || closing) return;
    // serve queues from its onResponse hook, after the answer was sent: the write waits only for the turn to end.
    if (flushDelayInMs <= 0 || heldRows() >= maxBatchRows) {
      const immediate = setImmediate(startPump);
      scheduled = { cancel: () => clearImmediate(immediate) };
    } else {
      const timer = setTimeout(startPump, flushDelayInMs);
      timer.unref();
      scheduled = { cancel: () => clearTimeout(timer) };
    }
  };

  function startPump(): Promise<void> {
    scheduled?.cancel();
    scheduled = undefined;
    pumping ??= pump().finally(() => {
      pumping = undefined;
      settleFlushWaiters();
      if (!abandoned && heldRows() > 0 && !closing) schedule();
    });
    return pumping;
  }

  const settleFlushWaiters = () => {
    const waiters = flushWaiters;
    flushWaiters = [];
    for (const resolve of waiters) resolve();
  };

  /** Writes batches until nothing is held; while writes fail, waits and retries; stops at the close deadline. */
  async function pump(): Promise<void> {
    while (!abandoned && heldRows() > 0 && clock() < closeDeadline) {
      const batch = pending[0] ?? takeBatches()[0]!;
      const result = await write(batch);
      if (abandoned) return;
      if (result === 'written') {
        written(batch);
      } else if (result === 'refused') {
        refused(batch);
      } else {
        settleFlushWaiters();
        await sleep(Math.min(retryInMs, Math.max(0, closeDeadline - clock())));
        retryInMs = Math.min(retryInMs * 2, maxRetryInMs);
      }
    }
  }

  /** Moves up to `maxBatchRows` (1 while rows go one by one) from the queue to `pending`, one batch per kind. */
  const takeBatches = (): Batch[] => {
    const size = oneByOne > 0 ? 1 : maxBatchRows;
    const taken = queue.take(size);
    oneByOne = Math.max(0, oneByOne - taken.length);
    const byKind = new Map<Entry['kind'], Batch>();
    for (const entry of taken) {
      let batch = byKind.get(entry.kind);
      if (!batch) byKind.set(entry.kind, (batch = { id: newBatchId(), kind: entry.kind, entries: [] }));
      batch.entries.push(entry);
    }
    pending = [...byKind.values()];
    pendingRows = taken.length;
    return pending;
  };

  const write = async (batch: Batch): Promise<WriteResult> => {
    try {
      if (batch.kind === 'decision') await ledger.recordDecisions({ id: batch.id, rows: batch.entries.map((entry) => entry.record as DecisionRecord) });
      else await ledger.recordEventCalls({ id: batch.id, rows: batch.entries.map((entry) => entry.record as EventCallRecord) });
      return 'written';
    } catch (error) {
      if (error instanceof LedgerError && error.code === LedgerErrorCode.RECORD_INVALID) return 'refused';
      if (!outage && recovery) {
        // Failing again before the rows held were written: the same outage goes on, without a second warning.
        outage = { since: recovery.since, code: codeOf(error), heldRows: recovery.heldRows, droppedRows: recovery.droppedRows };
        recovery = undefined;
      } else if (!outage) {
        outage = { since: clock(), code: codeOf(error), heldRows: 0, droppedRows: 0 };
        log.warn(
          { code: outage.code, reason: error instanceof LedgerError ? error.publicMessage : undefined, heldRows: heldRows(), maxHeldRows },
          `ledger writes are failing: decisions and event calls are held (at most ${maxHeldRows}) and retried every ${maxRetryInMs / 1000} s at most until the ledger answers`,
        );
      }
      outage.heldRows = Math.max(outage.heldRows, heldRows());
      return 'failed';
    }
  };

  const removePending = (batch: Batch) => {
    pending = pending.filter((other) => other !== batch);
    pendingRows -= batch.entries.length;
  };

  const written = (batch: Batch) => {
    const heldBefore = heldRows();
    removePending(batch);
    counts.written += batch.entries.length;
    retryInMs = firstRetryInMs;
    if (outage) {
      const held = Math.max(outage.heldRows, heldBefore);
      recovery = { since: outage.since, outageInMs: clock() - outage.since, heldRows: held, writtenRows: 0, droppedRows: outage.droppedRows };
      outage = undefined;
    }
    if (recovery) {
      recovery.writtenRows += batch.entries.length;
      if (recovery.writtenRows >= recovery.heldRows || heldRows() === 0) {
        log.info(
          { heldRows: recovery.heldRows, writtenRows: recovery.writtenRows, droppedRows: recovery.droppedRows, outageInMs: recovery.outageInMs },
          `ledger writes succeed again: the ${recovery.heldRows} rows held during ${Math.round(recovery.outageInMs / 1000)} s of failures are written`,
        );
        recovery = undefined;
      }
    }
  };

  /** A batch refused for its rows wrote nothing: its rows go back to the head of the queue, to be written one by one. */
  const refused = (batch: Batch) => {
    removePending(batch);
    if (batch.entries.length === 1) {
      dropped(batch.entries[0]!, 'the ledger refused it (LEDGER_RECORD_INVALID)');
      return;
    }
    // The other batch taken with it (the other kind) is written as it was, with its id, before these.
    const rest = pending;
    pending = [];
    pendingRows = 0;
    queue.unshift([...rest.flatMap((other) => other.entries), ...batch.entries]);
    oneByOne = Math.max(oneByOne, batch.entries.length + rest.reduce((n, other) => n + other.entries.length, 0));
    // Re-batching the other kind's rows one by one gives them new ids: safe only because they were never attempted
    // (pending[0] is always written first, so a batch after it has had no write on its way).
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeSleeper = undefined;
        resolve();
      }
      wakeSleeper = done;
    });

  return {
    recordDecision: (record) => enqueue({ kind: 'decision', record }),
    recordEventCall: (record) => enqueue({ kind: 'eventCall', record }),
    flush() {
      if (heldRows() === 0 && !pumping) return Promise.resolve();
      const settled = new Promise<void>((resolve) => flushWaiters.push(resolve));
      if (!pumping) void startPump();
      else wakeSleeper?.();
      return settled;
    },
    stats: () => ({ heldRows: heldRows(), writtenRows: counts.written, droppedRows: counts.dropped, failing: outage !== undefined }),
    close() {
      closing ??= (async () => {
        closeDeadline = clock() + closeTimeoutInMs;
        retryInMs = Math.min(retryInMs, firstRetryInMs * 2);
        wakeSleeper?.();
        const done = pumping ?? (heldRows() > 0 ? startPump() : Promise.resolve());
        let deadline: NodeJS.Timeout | undefined;
        await Promise.race([done, new Promise<void>((resolve) => (deadline = setTimeout(resolve, closeTimeoutInMs)))]);
        clearTimeout(deadline);
        abandoned = true;
        wakeSleeper?.();
        const left = [...pending.flatMap((batch) => batch.entries), ...queue.take(queue.length)];
        pending = [];
        pendingRows = 0;
        for (const entry of left) dropped(entry, `serve stopped before the ledger took it (${closeTimeoutInMs / 1000} s allowed)`);
        if (left.length > 0) log.error({ droppedRows: left.length }, `${left.length} ledger rows could not be written before serve stopped`);
        settleFlushWaiters();
      })();
      return closing;
    },
  };
}

/**
 * A FIFO of entries with O(1) push and shift (an array read from a moving head, compacted as it drains): a plain
 * `Array#shift` copies the array, and the queue may hold 100,000 rows.
 */
class EntryQueue {
  private items: Entry[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(entry: Entry): void {
    this.items.push(entry);
  }

  shift(): Entry | undefined {
    if (this.head >= this.items.length) return undefined;
    const entry = this.items[this.head]!;
    this.items[this.head++] = undefined as unknown as Entry;
    this.compact();
    return entry;
  }

  /** Removes and returns the first `n` entries (fewer when fewer are held). */
  take(n: number): Entry[] {
    const taken = this.items.slice(this.head, this.head + n);
    this.head += taken.length;
    this.compact();
    return taken;
  }

  /** Puts entries back at the head, in their order. */
  unshift(entries: readonly Entry[]): void {
    this.items = [...entries, ...this.items.slice(this.head)];
    this.head = 0;
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

function codeOf(error: unknown): string {
  return error instanceof LedgerError ? error.code : error instanceof Error ? error.name : 'UNKNOWN';
}
