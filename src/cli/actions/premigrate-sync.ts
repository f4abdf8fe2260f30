import { writeFile } from 'node:fs/promises';
import { sync, type FieldMap, type SyncSummary } from '../../bulk/index.js';
import type { PremigrateConfig } from '../../config/index.js';
import type { GraphBatchClient } from '../../graph/index.js';
import type { Ledger } from '../../ledger/index.js';
import { ExitCode } from '../exit-codes.js';
import { interruptOnSignal } from '../interrupt-on-signal.js';
import { progressLine } from '../progress-line.js';
import type { PremigrateCommandOptions } from './premigrate-options.js';
import type { PremigrateSource } from './premigrate-source.js';

/** Changes listed under a dry run's summary; `--json` carries the first 1,000. */
const CHANGES_SHOWN = 200;
/** Failures listed under the summary; `--failures` writes them all (the first 1,000). */
const FAILURES_SHOWN = 20;

/** What `premigrate --sync` runs with, built by `premigrate` from the same settings. */
export interface SyncRun {
  options: PremigrateCommandOptions;
  config: PremigrateConfig;
  graph: GraphBatchClient;
  ledger: Ledger;
  source: PremigrateSource;
  fieldMap: FieldMap;
  /** Rows in the source, for the progress bar. */
  total: number;
  concurrency: number;
  /** The writes per second the pacers allow together, for the run record. */
  budgetPerSecond: number;
}

/**
 * `entra-migrate premigrate --sync [--apply]`: keeps the pre-created accounts up to date with the source (see
 * `sync`). Without `--apply` a dry run: Graph is read, the diff printed, nothing written. Resolves with the exit code:
 * 0 all in sync (or, in a dry run, the diff listed), 1 an account failed, a row was invalid, the run was interrupted
 * or the mass-disable guard refused.
 */
export async function syncCommand(run: SyncRun): Promise<number> {
  const { options } = run;
  let latest: SyncSummary | undefined;
  const interrupt = interruptOnSignal({
    onStop: () => say('stopping: nothing new is sent and nobody is disabled; the batches in flight finish; Ctrl-C again to exit at once.'),
    onExit: () => say(`stopped at once${latest ? ` after ${count(latest.read)} rows` : ''}; run the same command again: accounts not recorded are compared again.`),
  });
  const showProgress = progressPrinter(run.total);
  try {
    const summary = await sync({
      source: run.source.rows(interrupt.abortSignal),
      fieldMap: run.fieldMap,
      ledger: run.ledger,
      graph: run.graph,
      tenantDomain: run.config.tenantDomain,
      dryRun: options.apply !== true,
      allowMassDisable: options.allowMassDisable === true,
      concurrency: run.concurrency,
      budgetPerSecond: run.budgetPerSecond,
      onWarning: (line) => say(`warning: ${line}`),
      abortSignal: interrupt.abortSignal,
      onProgress: (progress) => {
        latest = progress;
        showProgress(progress);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (options.failures) await writeFile(options.failures, failuresCsv(summary));
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : describeSync(summary, options));
    if (summary.interrupted) say('interrupted; nobody was disabled for leaving the source; run the same command again.');
    return syncExitCode(summary);
  } finally {
    interrupt.dispose();
  }
}

/** 1 when an account failed, a row was invalid, the run was interrupted or the mass-disable guard refused; else 0. */
export function syncExitCode(summary: SyncSummary): number {
  return summary.failed > 0 || summary.rejected > 0 || summary.interrupted || summary.massDisable?.refused === true ? ExitCode.FAILURE : ExitCode.OK;
}

/**
 * The summary for a terminal: the counts, whether departures were looked for, the guard's verdict, the diff (a dry
 * run) and the failures.
 *
 * @example
 *   describeSync(summary, { apply: false }) // 'dry run: 30 read: 2 would change, …\n  id u-003: displayName "User 3" → "Ada King"\n'
 */
export function describeSync(summary: SyncSummary, options: Pick<PremigrateCommandOptions, 'failures'>): string {
  const would = summary.dryRun ? 'would be ' : '';
  const lines = [
    `${summary.dryRun ? 'dry run: ' : ''}${count(summary.read)} read: ${count(summary.changed)} ${summary.dryRun ? 'would change' : 'changed'}, ${count(summary.disabled)} ${would}disabled, ${count(summary.reenabled)} ${would}re-enabled, ${count(summary.unchanged)} unchanged, ${count(summary.failed)} failed`,
    `${count(summary.compared)} compared with Graph, ${count(summary.notPreCreated)} not pre-created (premigrate creates them), ${count(summary.rejected)} invalid or duplicate rows, ${count(summary.throttled)} throttled responses of ${count(summary.graphRequests)} Graph requests, ${(summary.elapsedInMs / 1000).toFixed(1)} s (run ${summary.runId})`,
    summary.departuresChecked
      ? `${count(summary.departed)} pre-created account${summary.departed === 1 ? '' : 's'} no longer in the source`
      : 'accounts that left the source were not looked for: the source was not read to the end (or a row had no readable id), so nobody was disabled',
  ];
  const guard = summary.massDisable;
  if (guard?.refused) {
    lines.push(
      `REFUSED to disable ${count(guard.wouldDisable)} accounts in one run (the limit is ${count(guard.limit)}: 5 % of the pre-created accounts, at least 10); nobody was disabled. Check the source (its query, filter or enabled field); if they really left, run again with --allow-mass-disable.`,
    );
  }
  for (const change of summary.changes.slice(0, summary.dryRun ? CHANGES_SHOWN : 0)) lines.push(`  id ${change.legacyId}: ${change.fields.map((field) => `${field.name} ${shown(field.old)} → ${shown(field.new)}`).join('; ')}`);
  if (summary.dryRun && summary.changes.length > CHANGES_SHOWN) lines.push(`  … ${count(summary.changes.length - CHANGES_SHOWN)} more: --json lists the first 1,000`);
  for (const failure of summary.failures.slice(0, FAILURES_SHOWN)) lines.push(`  id ${failure.legacyId} (${failure.objectId}): ${failure.reason}`);
  if (summary.failures.length > FAILURES_SHOWN && !options.failures) lines.push(`  … ${count(summary.failures.length - FAILURES_SHOWN)} more failures: list them with --failures failures.csv`);
  if (summary.dryRun && summary.changed + summary.disabled + summary.reenabled > 0) lines.push('nothing was written: run again with --apply to make these changes');
  return `${lines.join('\n')}\n`;
}

/** A value in the diff: quoted text, true/false, or (none). */
function shown(value: string | boolean | null): string {
  return value === null ? '(none)' : typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** Progress on stderr: one line rewritten in place on a terminal, a line every 5 s otherwise. */
function progressPrinter(total: number): (summary: SyncSummary) => void {
  let lastLine = 0;
  return (summary) => {
    const rate = summary.elapsedInMs > 0 ? (summary.read * 1000) / summary.elapsedInMs : 0;
    const text = progressLine({ done: summary.read, total, elapsedInMs: summary.elapsedInMs, ratePerSecond: rate, throttled: summary.throttled, failed: summary.failed });
    if (process.stderr.isTTY) process.stderr.write(`\r${text}\u001b[K`);
    else if (Date.now() - lastLine > 5000) {
      lastLine = Date.now();
      process.stderr.write(`${text}\n`);
    }
  };
}

function say(text: string): void {
  process.stderr.write(`${process.stderr.isTTY ? '\r\u001b[K' : ''}entra-migrate premigrate --sync: ${text}\n`);
}

/** `--failures` with `--sync`: legacy_id, reason, object_id. */
function failuresCsv(summary: SyncSummary): string {
  const csv = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return ['legacy_id,reason,object_id', ...summary.failures.map((failure) => `${csv(failure.legacyId)},${csv(failure.reason)},${csv(failure.objectId)}`)].join('\n') + '\n';
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
