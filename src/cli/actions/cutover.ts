import { access, constants } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { cutover, type CutoverSummary } from '../../bulk/cutover.js';
import { notifyCsv, releasedAccounts, type ReleasedAccount } from '../../bulk/steps/cutover-notify.js';
import { ConfigError, loadSettings, type AppRegistrationSettings } from '../../config/index.js';
import { loadCutoverConfig, type CutoverConfig } from '../../config/cutover-config.js';
import { GRAPH_DEFAULT_SCOPE } from '../../graph/client-credentials.js';
import { appCredential, createGraphBatchClient, createGraphClient, createGraphClientPool, createPacer, MAX_BATCH_SIZE } from '../../graph/index.js';
import { openLedger, type Ledger } from '../../ledger/index.js';
import { removeSetup, type SetupStep } from '../../setup/index.js';
import { appRegistrationsOf, BATCHES_IN_FLIGHT_PER_APP, READ_BATCHES_PER_SECOND } from '../app-registrations.js';
import { ExitCode } from '../exit-codes.js';
import { interruptOnSignal } from '../interrupt-on-signal.js';
import { progressLine } from '../progress-line.js';
import { reportError } from '../report-error.js';
import { writeFileAtomically } from '../write-file-atomically.js';

/** The options of `entra-migrate cutover`, as the command line gives them. */
export interface CutoverCommandOptions {
  targetUrl: string;
  apply?: boolean;
  /** MigratePassword answers in the last 24 hours above which `--apply` refuses. */
  maxDaily: number;
  force?: boolean;
  notify?: string;
  json?: boolean;
  envFile?: string;
  credentials?: string;
}

/** Writes as premigrate paces them by default: 18 PATCHes per second per app registration, under Graph's ~20/s of identity writes. */
const WRITES_PER_SECOND = 18;
/** Accounts listed per kind under the summary; `--json` lists them all (up to 10,000). */
const LISTED = 20;
const DAY_IN_MS = 86_400_000;

/** `entra-migrate cutover`: refuses while users still migrate, removes the listener, releases the stragglers; resolves with the exit code. */
export async function cutoverCommand(options: CutoverCommandOptions): Promise<number> {
  let ledger: Ledger | undefined;
  try {
    const { config, apps } = settingsOf(options);
    if (options.notify) await checkWritable(options.notify);
    const credentials = apps.map((app) => appCredential({ authorityHost: config.authorityHost, tenantId: config.tokenTenantId, ...app }).credential);
    // Every app registration signs in before anything is read: a wrong tenant, client or secret stops here.
    await Promise.all(credentials.map((credential) => credential.getToken(GRAPH_DEFAULT_SCOPE)));
    ledger = await openLedger(config.ledgerDatabaseUrl);

    const migratedLastDay = await ledger.countDecisions({ action: 'MigratePassword', since: new Date(Date.now() - DAY_IN_MS) });
    const tooBusy = migratedLastDay > options.maxDaily && options.force !== true;
    const activity = { migratedLastDay, maxDaily: options.maxDaily, refused: tooBusy };
    if (tooBusy && options.apply) {
      say(`refused: the extension answered MigratePassword ${count(migratedLastDay)} times in the last 24 hours, more than --max-daily ${count(options.maxDaily)}: users are still migrating. Nothing was changed. Wait, raise --max-daily, or add --force.`);
      if (options.json) process.stdout.write(`${JSON.stringify({ ...activity, applied: false })}\n`);
      return ExitCode.FAILURE;
    }

    // As `setup --remove` (the custom extension and the app registration stay for the checklist).
    const graph = createGraphClient({ baseUrl: config.graphBaseUrl, credential: credentials[0]! });
    const listener = await removeSetup({ graph, dryRun: options.apply !== true, targetUrl: options.targetUrl, removeExtension: false });

    const pool = (ratePerSecond: number) => createGraphClientPool(credentials.map((credential) => createGraphBatchClient({ baseUrl: config.graphBaseUrl, credential, pacer: createPacer({ ratePerSecond }) })));
    const interrupt = interruptOnSignal({
      onStop: () => say('stopping: the batches in flight finish and are recorded; Ctrl-C again to exit at once.'),
      onExit: () => say('stopped at once; run the same command again: released accounts are recorded, the rest resume.'),
    });
    let summary: CutoverSummary;
    try {
      summary = await cutover({
        ledger,
        reader: pool(READ_BATCHES_PER_SECOND),
        writer: pool(WRITES_PER_SECOND),
        flagAttribute: config.flagAttribute,
        apply: options.apply === true,
        concurrency: BATCHES_IN_FLIGHT_PER_APP * credentials.length,
        // Reads (a $batch of 20 GETs takes one token) and, with --apply, the PATCHes: what both pools allow together.
        budgetPerSecond: (READ_BATCHES_PER_SECOND * MAX_BATCH_SIZE + (options.apply ? WRITES_PER_SECOND : 0)) * credentials.length,
        onWarning: (line) => say(`warning: ${line}`),
        abortSignal: interrupt.abortSignal,
        onProgress: progressPrinter(),
      });
    } finally {
      interrupt.dispose();
      if (process.stderr.isTTY) process.stderr.write('\r\u001b[K');
    }

    let notify: { file: string; accounts: number } | null = null;
    if (options.apply && options.notify && !summary.interrupted) {
      const accounts: ReleasedAccount[] = [];
      for await (const account of releasedAccounts(ledger, summary.releasedInAll)) accounts.push(account);
      await writeFileAtomically(options.notify, notifyCsv(accounts));
      notify = { file: options.notify, accounts: accounts.length };
    }
    const steps = listener.map(({ name, status, detail }) => ({ name, status, detail }));
    process.stdout.write(options.json ? `${JSON.stringify({ ...summary, ...activity, listener: steps, notify })}\n` : describe(summary, { options, config, activity, listener, notify }));
    if (summary.interrupted) return ExitCode.INTERRUPTED;
    return exitCodeOf(summary, tooBusy);
  } catch (error) {
    return reportError('cutover', error);
  } finally {
    await ledger?.close();
  }
}

function settingsOf(options: CutoverCommandOptions): { config: CutoverConfig; apps: AppRegistrationSettings[] } {
  const config = loadCutoverConfig(loadSettings({ env: process.env, envFile: options.envFile }), { appFromEnvironment: !options.credentials });
  const problems = [];
  if (options.notify && !options.apply) problems.push({ setting: '--notify', problem: 'is written by --apply only (a dry run releases nobody); add --apply, or leave it out to see the plan' });
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, apps: appRegistrationsOf(options.credentials, config.app) };
}

/** `--notify` must be writable before any flag is cleared: a mailing list lost after the release would be hard to rebuild. */
async function checkWritable(file: string): Promise<void> {
  try {
    await access(dirname(resolve(file)), constants.W_OK);
  } catch {
    throw new ConfigError([{ setting: '--notify', problem: `${file}: its folder does not exist or cannot be written` }]);
  }
}

/** 1 when refused (a dry run above --max-daily says so too), a flag was not cleared, or Graph left accounts untold. */
function exitCodeOf(summary: CutoverSummary, refused: boolean): number {
  const attention = summary.failures.length + summary.unanswered + summary.flagMissing.length;
  return refused || attention > 0 ? ExitCode.FAILURE : ExitCode.OK;
}

/** Progress on stderr: one line rewritten in place on a terminal, a line every 5 s otherwise (logs, CI). */
function progressPrinter(): (summary: CutoverSummary) => void {
  let lastLine = 0;
  return (summary) => {
    const rate = summary.elapsedInMs > 0 ? (summary.read * 1000) / summary.elapsedInMs : 0;
    const text = `${progressLine({ done: summary.read, total: null, elapsedInMs: summary.elapsedInMs, ratePerSecond: rate, throttled: summary.throttled, failed: summary.failures.length })} · stragglers ${count(summary.stragglers)} · released ${count(summary.released)}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${text}\u001b[K`);
    else if (Date.now() - lastLine > 5000) {
      lastLine = Date.now();
      process.stderr.write(`${text}\n`);
    }
  };
}

interface Described {
  options: CutoverCommandOptions;
  config: CutoverConfig;
  activity: { migratedLastDay: number; maxDaily: number; refused: boolean };
  listener: readonly SetupStep[];
  notify: { file: string; accounts: number } | null;
}

function describe(summary: CutoverSummary, { options, config, activity, listener, notify }: Described): string {
  const apply = summary.applied;
  const lines = [
    `${count(activity.migratedLastDay)} MigratePassword answers in the last 24 hours (--max-daily ${count(activity.maxDaily)})${activity.refused ? ': --apply would be refused (users are still migrating; wait, or --force)' : ''}`,
    `${count(summary.read)} accounts not yet confirmed read from Graph in ${(summary.elapsedInMs / 1000).toFixed(1)} s (${count(summary.throttled)} throttled answers of ${count(summary.graphRequests)} requests; run ${summary.runId})`,
    `${count(summary.stragglers)} stragglers (flag still true${summary.notApplied > 0 ? `; ${count(summary.notApplied)} of them answered MigratePassword that Entra never applied` : ''})`,
    `${count(summary.migrated)} migrated since the last reconcile (untouched: run entra-migrate reconcile to record and mark them)`,
    apply ? 'done:' : 'plan (dry run: nothing was changed; add --apply):',
    ...listener.map((step) => `  ${step.status} ${step.name}: ${step.detail}`),
    apply
      ? `  cleared the flag of ${count(summary.released)} stragglers and recorded them released-by-cutover${summary.alreadyCleared > 0 ? `; ${count(summary.alreadyCleared)} found already cleared, recorded too` : ''}`
      : `  would clear ${config.flagAttribute} of ${count(summary.stragglers)} stragglers (PATCH /users/{id}, paced) and record them released-by-cutover${summary.alreadyCleared > 0 ? `; ${count(summary.alreadyCleared)} found already cleared would be recorded too` : ''}`,
    notify
      ? `  wrote ${notify.file}: ${count(notify.accounts)} accounts released so far (legacy_id, email, display_name) for the "please reset your password" mailing`
      : apply
        ? `  ${summary.interrupted ? 'no notify file: the run was interrupted; run it again to finish and write it' : 'no --notify file: run again with --notify FILE.csv to write the mailing list (released accounts are found again)'}`
        : `  would write the mailing list with --apply --notify FILE.csv (legacy_id, email, display_name)`,
    `${count(summary.releasedInAll)} accounts released-by-cutover in the ledger, all runs`,
  ];
  const list = (title: string, accounts: ReadonlyArray<{ legacyId: string; objectId: string; error?: string }>) => {
    if (accounts.length === 0) return;
    lines.push(title);
    for (const account of accounts.slice(0, LISTED)) lines.push(`  legacy id ${account.legacyId}, object id ${account.objectId}${account.error ? `: ${account.error}` : ''}`);
    if (accounts.length > LISTED) lines.push(`  … ${count(accounts.length - LISTED)} more: --json lists them all`);
  };
  list('flags NOT cleared (run cutover --apply again):', summary.failures);
  list('deleted in Entra (Graph answers 404; untouched):', summary.deletedInEntra);
  list(`no flag returned (is MIGRATION_FLAG_ATTRIBUTE ${config.flagAttribute} right?):`, summary.flagMissing);
  if (summary.unanswered > 0) lines.push(`${count(summary.unanswered)} accounts Graph did not answer for: run again`);
  if (summary.interrupted) lines.push('interrupted: run the same command again to resume');
  lines.push('', ...checklist(options.targetUrl));
  return `${lines.join('\n')}\n`;
}

/**
 * The decommissioning steps after the cut-over; each command and option named exists (see `setup --help`). Keys are
 * not retired with `setup --retire-old-keys` after the cut-over: that runs the whole idempotent setup, whose listener
 * step would create the listener just removed.
 */
function checklist(targetUrl: string): string[] {
  return [
    'Decommissioning checklist:',
    '  [ ] entra-migrate reconcile: record and mark the last migrations (released accounts are counted apart)',
    '  [ ] make the legacy store read-only (no sign-ups, no password changes), keep it for audit, then retire it',
    "  [ ] stop entra-migrate serve: with the listener gone Entra no longer calls it",
    `  [ ] entra-migrate setup --target-url ${targetUrl} --remove --remove-extension: delete the custom extension`,
    '  [ ] retire the keys: not with entra-migrate setup --retire-old-keys now (setup provisions as it goes and would put the',
    '      listener back); removing the app registration below drops its certificates: then delete the private key files',
    '      (JIT_DECRYPTION_KEY_FILE) and any Key Vault key serve used',
    '  [ ] remove the extension app registration (ENTRA_EXTENSION_APP_ID) in the Microsoft Entra admin center, App registrations',
    '  [ ] leave the flag property (MIGRATION_FLAG_ATTRIBUTE) in place: users still carry it, false now',
  ];
}

/** A line on stderr, on a line of its own even while a progress line is drawn. */
function say(text: string): void {
  process.stderr.write(`${process.stderr.isTTY ? '\r\u001b[K' : ''}entra-migrate cutover: ${text}\n`);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
