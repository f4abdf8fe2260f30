import type { BulkCommand } from '../../ledger/index.js';
import type { GraphTraffic } from './graph-traffic.js';

/**
 * One counter of a bulk run, read off its summary: the key it has in the run record's `counts` (the `--json` key
 * it comes from, or for reconcile's `states` the state in camelCase), and the OpenTelemetry counter it is pushed to
 * with the attributes that tell it apart there. One table per command (counter-tables.ts) is the whole mapping:
 * the ledger, the metrics and the docs read the same rows.
 */
export interface RunCounter<Summary> {
  /** A token `[A-Za-z][A-Za-z0-9]*`: the run record's `counts` key. */
  key: string;
  /** `entra_migrate.<command>.read`, `entra_migrate.<command>.accounts`, `entra_migrate.graph.requests` … */
  metric: string;
  /** The metric's OpenTelemetry description. */
  description: string;
  /** What tells this counter apart within its metric (`result`, `confirmation`, `command`); `dry_run` is added to all. */
  attributes: Readonly<Record<string, string>>;
  /** The value so far; it only grows while the run goes on. */
  valueOf(summary: Summary): number;
}

/** Every counter of one command, the two Graph counters (`graphRequests`, `throttled`) last. */
export interface RunCounterTable<Summary> {
  command: BulkCommand;
  counters: ReadonlyArray<RunCounter<Summary>>;
}

/** What each kind of metric counts: its OpenTelemetry description. */
const DESCRIPTIONS = {
  read: 'Rows (premigrate) or accounts (reconcile, cutover) a bulk run read.',
  accounts: 'Accounts (or source rows) of a bulk run, by the --json key counting them (result) or their reconciled state (confirmation).',
  requests: 'Microsoft Graph requests answered during bulk runs; each $batch sub-request counts as one.',
  throttled: 'Microsoft Graph answers with HTTP 429 (Too Many Requests) during bulk runs.',
} as const;

/** The two counters every command has, from the Graph client that counted them (graph-traffic.ts). */
export const GRAPH_COUNTER_KEYS = ['graphRequests', 'throttled'] as const;

/** `premigrate-sync` → `premigrate_sync`: a metric name's command part. */
export function metricNamespaceOf(command: BulkCommand): string {
  return `entra_migrate.${command.replace(/-/g, '_')}`;
}

/**
 * A command's table from its counters: `read`, one `accounts` counter per result (the `--json` key, verbatim, as
 * the `result` attribute), reconcile's states as `accounts` by `confirmation`, and the Graph counters.
 *
 * @example
 *   counterTable<PremigrateSummary>('premigrate', { read: (s) => s.read, results: { created: (s) => s.created } });
 */
export function counterTable<Summary extends GraphTraffic>(
  command: BulkCommand,
  counters: {
    read: (summary: Summary) => number;
    results: Readonly<Record<string, (summary: Summary) => number>>;
    confirmations?: Readonly<Record<string, (summary: Summary) => number>>;
  },
): RunCounterTable<Summary> {
  const namespace = metricNamespaceOf(command);
  const accounts = { metric: `${namespace}.accounts`, description: DESCRIPTIONS.accounts };
  const rows: Array<RunCounter<Summary>> = [{ key: 'read', metric: `${namespace}.read`, description: DESCRIPTIONS.read, attributes: {}, valueOf: counters.read }];
  for (const [key, valueOf] of Object.entries(counters.results)) rows.push({ key, ...accounts, attributes: { result: key }, valueOf });
  for (const [confirmation, valueOf] of Object.entries(counters.confirmations ?? {})) rows.push({ key: camelCaseOf(confirmation), ...accounts, attributes: { confirmation }, valueOf });
  rows.push(
    { key: 'graphRequests', metric: 'entra_migrate.graph.requests', description: DESCRIPTIONS.requests, attributes: { command }, valueOf: (summary) => summary.graphRequests },
    { key: 'throttled', metric: 'entra_migrate.graph.throttled', description: DESCRIPTIONS.throttled, attributes: { command }, valueOf: (summary) => summary.throttled },
  );
  return { command, counters: rows };
}

/**
 * The run record's `counts`: every counter of the table but the Graph ones, which the record keeps in fields of
 * their own.
 *
 * @example
 *   countsOf(PREMIGRATE_COUNTERS, summary); // { read: 120, created: 118, failed: 2, … }
 */
export function countsOf<Summary>(table: RunCounterTable<Summary>, summary: Summary): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const counter of table.counters) if (!(GRAPH_COUNTER_KEYS as readonly string[]).includes(counter.key)) counts[counter.key] = counter.valueOf(summary);
  return counts;
}

/** `migrated-by-extension` → `migratedByExtension`: a state as a counts key (a token, no hyphen). */
function camelCaseOf(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
