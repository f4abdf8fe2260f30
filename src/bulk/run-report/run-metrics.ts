import { metrics, type Counter } from '@opentelemetry/api';
import type { BulkRunOutcome } from '../../ledger/index.js';
import type { RunCounterTable } from './run-counters.js';

/** The meter every entra-migrate instrument hangs from (the SDK, when one runs, is started by the CLI). */
export const METER_NAME = 'entra-migrate';

/** Runs ended, by command, outcome and dry_run: a run that failed or was interrupted shows here first. */
export const RUNS_METRIC = 'entra_migrate.bulk.runs';
const RUNS_DESCRIPTION = 'Bulk runs ended, by command and outcome (completed, interrupted, failed).';

export interface RunMetrics<Summary> {
  /** Adds to each counter what the summary gained since the last push: call it as often as the summary changes. */
  push(summary: Summary): void;
  /** Counts the run as ended (`entra_migrate.bulk.runs`), after a last push. */
  ended(summary: Summary, outcome: Exclude<BulkRunOutcome, 'running'>): void;
}

/**
 * A run's counters as OpenTelemetry counters on the global meter: at each push, the summary's growth since the last
 * one is added, so the metrics hold what the summary holds — one bookkeeping, read twice. Without an SDK (no
 * OTEL_EXPORTER_OTLP_ENDPOINT, no APPLICATIONINSIGHTS_CONNECTION_STRING) the API is a no-op and this costs a few
 * subtractions. Attributes are the table's (`result`, `confirmation`, `command`) and `dry_run`: never an id, an
 * e-mail or an error text.
 *
 * The meter is asked for when the run starts, not when the module loads: the metrics API has no proxy, so a meter
 * taken before the SDK registered its provider would stay a no-op.
 *
 * @example
 *   const runMetrics = runMetricsOf(PREMIGRATE_COUNTERS, { dryRun: false });
 *   runMetrics.push(summary); // after each batch
 *   runMetrics.ended(summary, 'completed');
 */
export function runMetricsOf<Summary>(table: RunCounterTable<Summary>, options: { dryRun: boolean }): RunMetrics<Summary> {
  const meter = metrics.getMeter(METER_NAME);
  const instruments = new Map<string, Counter>();
  const instrument = (name: string, description: string) => {
    let counter = instruments.get(name);
    if (!counter) {
      counter = meter.createCounter(name, { description, unit: '{count}' });
      instruments.set(name, counter);
    }
    return counter;
  };
  const dryRun = String(options.dryRun);
  const pushed = table.counters.map(() => 0);
  const push = (summary: Summary) => {
    table.counters.forEach((counter, i) => {
      const value = counter.valueOf(summary);
      // Summaries only grow; a value that fell back (it should not) is not taken back from a monotonic counter.
      if (!(value > pushed[i]!)) return;
      instrument(counter.metric, counter.description).add(value - pushed[i]!, { ...counter.attributes, dry_run: dryRun });
      pushed[i] = value;
    });
  };
  return {
    push,
    ended(summary, outcome) {
      push(summary);
      instrument(RUNS_METRIC, RUNS_DESCRIPTION).add(1, { command: table.command, outcome, dry_run: dryRun });
    },
  };
}
