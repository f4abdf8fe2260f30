import { randomUUID } from 'node:crypto';
import type { Clock } from '../../common/clock.js';
import { EntraMigrateError } from '../../common/errors.js';
import type { BulkRunOutcome, BulkRunRecord, Ledger } from '../../ledger/index.js';
import type { GraphTraffic } from './graph-traffic.js';
import { countsOf, type RunCounterTable } from './run-counters.js';
import { runMetricsOf } from './run-metrics.js';

/** About every 10 s, as the ledger contract says: often enough for a live dashboard, rare enough to cost nothing. */
export const RECORD_EVERY_IN_MS = 10_000;

/** What a run summary needs to be reported: its counters' traffic, where its id goes, whether it was stopped. */
export interface ReportedSummary extends GraphTraffic {
  runId: string;
  interrupted: boolean;
}

export interface RunReportOptions<Summary extends ReportedSummary> {
  table: RunCounterTable<Summary>;
  /** The run's live summary, as its steps update it; read at each progress, each record and the end. */
  summary: Summary;
  ledger: Pick<Ledger, 'recordBulkRun'>;
  dryRun: boolean;
  /** The requests per second the run's pacers allow together; null when the caller did not say. */
  budgetPerSecond: number | null;
  now: Clock;
  /** One line when the run record cannot be written (the first time only): the run goes on. */
  onWarning: (line: string) => void;
  recordEveryInMs?: number;
}

export interface RunReport {
  readonly id: string;
  /** The summary changed (a batch settled): its growth goes to the OpenTelemetry counters. Cheap. */
  progress(): void;
  /** The last push and the last record; never rejects (a ledger that refuses is a warning). */
  finish(outcome: Exclude<BulkRunOutcome, 'running'>): Promise<void>;
}

/**
 * Reports one bulk run while it runs: its record in the ledger (`recordBulkRun`: `running` at start, again about
 * every 10 s with the counts so far, and `completed`, `interrupted` or `failed` at the end) and its counters on the
 * OpenTelemetry meter (run-metrics.ts), both read off the run's own summary. Sets `summary.runId`.
 *
 * The records are written one after the other, the last one after any still on its way, so a slow ledger never
 * lets a `running` overwrite the end; a periodic record is skipped while the previous one is still being written.
 * A ledger that refuses or fails a record never fails the run: one warning line, the first time.
 *
 * @example
 *   const report = startRunReport({ table: PREMIGRATE_COUNTERS, summary, ledger, dryRun: false, budgetPerSecond: 18, now, onWarning });
 *   report.progress(); // after each batch
 *   await report.finish(summary.interrupted ? 'interrupted' : 'completed');
 */
export function startRunReport<Summary extends ReportedSummary>(options: RunReportOptions<Summary>): RunReport {
  const { summary, table } = options;
  const id = randomUUID();
  summary.runId = id;
  const startedAt = new Date(options.now());
  const runMetrics = runMetricsOf(table, { dryRun: options.dryRun });
  let writes: Promise<void> = Promise.resolve();
  let writing = 0;
  let warned = false;

  const recordOf = (outcome: BulkRunOutcome): BulkRunRecord => ({
    id,
    command: table.command,
    startedAt,
    // Never before the start, whatever the clock did meanwhile (the ledger refuses it).
    finishedAt: outcome === 'running' ? null : new Date(Math.max(options.now(), startedAt.getTime())),
    outcome,
    dryRun: options.dryRun,
    counts: countsOf(table, summary),
    graphRequests: summary.graphRequests,
    throttled: summary.throttled,
    budgetPerSecond: options.budgetPerSecond,
  });
  const write = (outcome: BulkRunOutcome) => {
    const record = recordOf(outcome);
    writing++;
    writes = writes
      .then(() => options.ledger.recordBulkRun(record))
      .catch((error: unknown) => {
        if (warned) return;
        warned = true;
        options.onWarning(`the run record could not be written to the ledger (${describe(error)}); the run goes on, its summary is complete`);
      })
      .finally(() => void writing--);
    return writes;
  };

  write('running');
  const timer = setInterval(() => {
    runMetrics.push(summary);
    if (writing === 0) void write('running');
  }, options.recordEveryInMs ?? RECORD_EVERY_IN_MS);
  timer.unref();

  return {
    id,
    progress: () => runMetrics.push(summary),
    async finish(outcome) {
      clearInterval(timer);
      runMetrics.ended(summary, outcome);
      await write(outcome);
    },
  };
}

/**
 * Runs `body` under its report: `failed` when it throws (the error goes on), else `interrupted` when the summary
 * says so, else `completed`.
 *
 * @example
 *   return reportedRun(report, summary, async () => { … });
 */
export async function reportedRun<Summary extends ReportedSummary>(report: RunReport, summary: Summary, body: () => Promise<void>): Promise<Summary> {
  try {
    await body();
  } catch (error) {
    await report.finish('failed');
    throw error;
  }
  await report.finish(summary.interrupted ? 'interrupted' : 'completed');
  return summary;
}

/** Our errors by code and public message; anything else by its name only (its message could quote anything). */
function describe(error: unknown): string {
  if (error instanceof EntraMigrateError) return `${error.code}: ${error.publicMessage}`;
  return error instanceof Error ? error.name : 'unknown error';
}
