import { reconcile, type ReconcileSummary } from '../../bulk/reconcile.js';
import type { LegacyMarker } from '../../bulk/steps/legacy-marker.js';
import { openSqlMarker } from '../../bulk/steps/sql-marker.js';
import { openWebMarker } from '../../bulk/steps/web-marker.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../legacy/errors.js';
import { ConfigError, loadSettings, type AppRegistrationSettings } from '../../config/index.js';
import { loadReconcileConfig, type MarkMigratedSettings, type ReconcileConfig } from '../../config/reconcile-config.js';
import { GRAPH_DEFAULT_SCOPE } from '../../graph/client-credentials.js';
import { appCredential, createGraphBatchClient, createGraphClientPool, createPacer, MAX_BATCH_SIZE, sleepUnlessAborted } from '../../graph/index.js';
import { CONFIRMATIONS, openLedger, type Ledger } from '../../ledger/index.js';
import { appRegistrationsOf, BATCHES_IN_FLIGHT_PER_APP, READ_BATCHES_PER_SECOND } from '../app-registrations.js';
import { ExitCode } from '../exit-codes.js';
import { interruptOnSignal } from '../interrupt-on-signal.js';
import { reportError } from '../report-error.js';

/** The options of `entra-migrate reconcile`, as the command line gives them. */
export interface ReconcileCommandOptions {
  /** Minutes after our last MigratePassword before a still-flagged account is "not applied". */
  grace: number;
  json?: boolean;
  /** Run again every this many ms until SIGINT/SIGTERM. */
  watch?: number;
  envFile?: string;
  credentials?: string;
}

/** Accounts listed per kind under the summary table; `--json` lists them all (up to 10,000). */
const LISTED = 20;

/**
 * Opens the legacy mark; what it cannot use is a settings problem (exit 2), named by its setting: a query or
 * database URL that does not compile, a CA, client certificate or key file of the web service that does not hold
 * what it should. Nothing is sent to the legacy side yet.
 */
async function openMarker(settings: MarkMigratedSettings): Promise<LegacyMarker> {
  try {
    return settings.kind === 'query' ? await openSqlMarker(settings.url, settings.query) : await openWebMarker(settings.service);
  } catch (error) {
    if (error instanceof LegacyStoreError && (error.code === LegacyStoreErrorCode.QUERY_INVALID || error.code === LegacyStoreErrorCode.URL_INVALID)) {
      throw new ConfigError([{ setting: 'LEGACY_MARK_MIGRATED_QUERY', problem: `is not usable: ${error.message}` }]);
    }
    if (error instanceof LegacyStoreError && error.code === LegacyStoreErrorCode.OPTIONS_INVALID) {
      // The message begins with the LEGACY_VERIFY_* file setting at fault and never quotes the file.
      throw new ConfigError([{ setting: 'LEGACY_MARK_MIGRATED_URL', problem: `cannot be used: ${error.publicMessage}` }]);
    }
    throw error;
  }
}

/** `entra-migrate reconcile`: reads Graph, records, marks; resolves with the exit code. */
export async function reconcileCommand(options: ReconcileCommandOptions): Promise<number> {
  let ledger: Ledger | undefined;
  let marker: LegacyMarker | null = null;
  try {
    const { config, apps } = settingsOf(options);
    // The mark opens first (the query compiled for its database, the web service's files read): a mistake stops the command before Graph is read.
    marker = config.markMigrated && (await openMarker(config.markMigrated));
    const credentials = apps.map((app) => appCredential({ authorityHost: config.authorityHost, tenantId: config.tokenTenantId, ...app }).credential);
    // Every app registration signs in before anything is read: a wrong tenant, client or secret stops here.
    await Promise.all(credentials.map((credential) => credential.getToken(GRAPH_DEFAULT_SCOPE)));
    ledger = await openLedger(config.ledgerDatabaseUrl);
    const graph = createGraphClientPool(
      credentials.map((credential) => createGraphBatchClient({ baseUrl: config.graphBaseUrl, credential, pacer: createPacer({ ratePerSecond: READ_BATCHES_PER_SECOND }) })),
    );
    const interrupt = interruptOnSignal({
      onStop: () => say('stopping: the batches in flight finish and are recorded; Ctrl-C again to exit at once.'),
      onExit: () => say('stopped at once; run reconcile again: nothing is lost, confirmed accounts not yet marked are marked next run.'),
    });
    try {
      let code: number = ExitCode.OK;
      do {
        const run = reconcile({
          ledger,
          graph,
          flagAttribute: config.flagAttribute,
          marker,
          graceInMs: options.grace * 60_000,
          concurrency: BATCHES_IN_FLIGHT_PER_APP * credentials.length,
          // GETs take one of the pacer's tokens per $batch of 20: the budget in requests is 20 times its rate.
          budgetPerSecond: READ_BATCHES_PER_SECOND * MAX_BATCH_SIZE * credentials.length,
          onWarning: (line) => say(`warning: ${line}`),
          abortSignal: interrupt.abortSignal,
        });
        try {
          const summary = await run;
          process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : describe(summary, config));
          code = exitCodeOf(summary);
        } catch (error) {
          // Watching (a container next to serve): a run that failed (Graph or a database away) is reported, the next one tries again.
          if (options.watch === undefined) throw error;
          code = reportError('reconcile', error);
        }
        if (options.watch !== undefined && !interrupt.abortSignal.aborted) await sleepUnlessAborted(undefined, options.watch, interrupt.abortSignal).catch(() => undefined);
      } while (options.watch !== undefined && !interrupt.abortSignal.aborted);
      return code;
    } finally {
      interrupt.dispose();
    }
  } catch (error) {
    return reportError('reconcile', error);
  } finally {
    await marker?.close();
    await ledger?.close();
  }
}

function settingsOf(options: ReconcileCommandOptions): { config: ReconcileConfig; apps: AppRegistrationSettings[] } {
  const config = loadReconcileConfig(loadSettings({ env: process.env, envFile: options.envFile }), { appFromEnvironment: !options.credentials });
  return { config, apps: appRegistrationsOf(options.credentials, config.app) };
}

/**
 * 0 when all is well; 1 when an account is not applied, a mark failed, Graph left an account unanswered, returned no
 * flag (MIGRATION_FLAG_ATTRIBUTE names another attribute?) or the run was interrupted.
 */
function exitCodeOf(summary: ReconcileSummary): number {
  const attention = summary.states['not-applied'] + summary.markFailures.length + summary.unanswered + summary.flagMissing.length;
  return attention > 0 || summary.interrupted ? ExitCode.FAILURE : ExitCode.OK;
}

function describe(summary: ReconcileSummary, config: ReconcileConfig): string {
  const width = Math.max(...CONFIRMATIONS.map((name) => name.length));
  const seconds = summary.elapsedInMs / 1000;
  const lines = [
    `${count(summary.read)} accounts read from Graph in ${seconds.toFixed(1)} s (${(seconds > 0 ? summary.read / seconds : 0).toFixed(1)}/s, ${count(summary.throttled)} throttled answers of ${count(summary.graphRequests)} requests; run ${summary.runId})`,
    `${'state'.padEnd(width)}  ${'this run'.padStart(9)}  ${'all runs'.padStart(9)}`,
    ...CONFIRMATIONS.map((name) => `${name.padEnd(width)}  ${count(summary.states[name]).padStart(9)}  ${count(summary.totals[name] ?? 0).padStart(9)}`),
    config.markMigrated
      ? `${count(summary.marked)} legacy accounts marked migrated, ${count(summary.markFailures.length)} marks failed (retried next run)`
      : 'no LEGACY_MARK_MIGRATED_QUERY or LEGACY_MARK_MIGRATED_URL: confirmed accounts are not marked on the legacy side (they will be once one is set)',
  ];
  const list = (title: string, accounts: ReadonlyArray<{ legacyId: string; objectId: string }>, detail: (account: never) => string = () => '') => {
    if (accounts.length === 0) return;
    lines.push(title);
    for (const account of accounts.slice(0, LISTED)) lines.push(`  legacy id ${account.legacyId}, object id ${account.objectId}${detail(account as never)}`);
    if (accounts.length > LISTED) lines.push(`  … ${count(accounts.length - LISTED)} more: --json lists them all`);
  };
  list('not applied (we answered MigratePassword, the flag is still true; give Microsoft support these correlation ids):', summary.notApplied, (account: { correlationIds: string[] }) => `, correlation ids ${account.correlationIds.join(' ')}`);
  list('marks failed:', summary.markFailures, (account: { error: string }) => `: ${account.error}`);
  list('deleted in Entra (Graph answers 404; not marked):', summary.deletedInEntra);
  list(`no flag returned (is MIGRATION_FLAG_ATTRIBUTE ${config.flagAttribute} right?):`, summary.flagMissing);
  list('flag cleared outside entra-migrate (no MigratePassword of ours, no password change; not marked):', summary.flagClearedElsewhere);
  if (summary.unanswered > 0) lines.push(`${count(summary.unanswered)} accounts Graph did not answer for: read again next run`);
  if (summary.interrupted) lines.push('interrupted: run reconcile again to finish');
  return `${lines.join('\n')}\n`;
}

/** A line on stderr. */
function say(text: string): void {
  process.stderr.write(`entra-migrate reconcile: ${text}\n`);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
