import { writeFile } from 'node:fs/promises';
import { DEFAULT_FIELD_MAP, premigrate, sourceFileProblem, type FieldMap, type PremigrateSummary } from '../../bulk/index.js';
import { ConfigError, loadPremigrateConfig, loadSettings, readCredentialsFile, type AppRegistrationSettings, type ConfigProblem, type PremigrateConfig } from '../../config/index.js';
import { GRAPH_DEFAULT_SCOPE } from '../../graph/client-credentials.js';
import { appCredential, createGraphBatchClient, createGraphClientPool, createPacer, readDirectoryQuota } from '../../graph/index.js';
import { openLedger } from '../../ledger/index.js';
import { ExitCode } from '../exit-codes.js';
import { interruptOnSignal } from '../interrupt-on-signal.js';
import { directoryColumnProblems, sourceOf, type PremigrateSource } from './premigrate-source.js';
import { progressLine } from '../progress-line.js';
import type { PremigrateCommandOptions } from './premigrate-options.js';
import { reportError } from '../report-error.js';
import { syncCommand } from './premigrate-sync.js';

export type { PremigrateCommandOptions } from './premigrate-options.js';

/** Graph's identity-write limit per tenant across app registrations: 18,000 per 5 minutes. */
const TENANT_WRITES_PER_SECOND = 60;
/** `$batch` requests in flight per app registration: enough for Graph's latency, the pacer sets the rate. */
const BATCHES_IN_FLIGHT_PER_APP = 4;
/** Failures listed under the summary; `--failures` writes them all. */
const FAILURES_SHOWN = 20;

/** `entra-migrate premigrate`: phase 1 from the options and the environment; resolves with the exit code. */
export async function premigrateCommand(options: PremigrateCommandOptions): Promise<number> {
  let ledger;
  try {
    const { config, apps } = await settingsOf(options);
    const credentials = apps.map((app) => appCredential({ authorityHost: config.authorityHost, tenantId: config.tokenTenantId, ...app }).credential);
    ledger = await openLedger(config.ledgerDatabaseUrl);
    return await runWith(options, config, credentials, ledger);
  } catch (error) {
    return reportError('premigrate', error);
  } finally {
    await ledger?.close();
  }
}

/**
 * The settings, the app registrations and the source, with every problem reported together (exit 2) before anything
 * is contacted: a `--from` file that is not there, a missing setting, no source at all.
 */
async function settingsOf(options: PremigrateCommandOptions): Promise<{ config: PremigrateConfig; apps: AppRegistrationSettings[] }> {
  const problems: ConfigProblem[] = [];
  const fileProblem = options.from === undefined ? null : await sourceFileProblem(options.from);
  if (fileProblem) problems.push({ setting: '--from', problem: `${options.from}: ${fileProblem}` });
  let config: PremigrateConfig | undefined;
  try {
    config = loadPremigrateConfig(loadSettings({ env: process.env, envFile: options.envFile }), { appFromEnvironment: !options.credentials });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (config && options.from === undefined && !config.legacyExport && !config.legacyDirectory) {
    problems.push({
      setting: '--from',
      problem: 'is required unless LEGACY_DATABASE_URL and LEGACY_EXPORT_QUERY, or LEGACY_LDAP_URL and LEGACY_LDAP_EXPORT_FILTER, are set: a .jsonl or .csv file of legacy accounts',
    });
  }
  if (config && options.from === undefined && config.legacyDirectory) problems.push(...directoryColumnProblems(options));
  problems.push(...syncOptionProblems(options));
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return { config, apps: options.credentials ? readCredentialsFile(options.credentials) : [config.app] };
}

async function runWith(
  options: PremigrateCommandOptions,
  config: PremigrateConfig,
  credentials: ReturnType<typeof appCredential>['credential'][],
  ledger: Awaited<ReturnType<typeof openLedger>>,
): Promise<number> {
  const graph = createGraphClientPool(
    credentials.map((credential) => createGraphBatchClient({ baseUrl: config.graphBaseUrl, credential, pacer: createPacer({ ratePerSecond: options.rate }) })),
  );
  const combined = options.rate * credentials.length;
  if (combined > TENANT_WRITES_PER_SECOND) {
    say(`${credentials.length} app registrations × ${options.rate} writes/s = ${combined}/s is above the tenant's ~${TENANT_WRITES_PER_SECOND}/s; Graph will throttle (429) and the pacers will slow down. Lower --rate to ${Math.floor(TENANT_WRITES_PER_SECOND / credentials.length)}.`);
  }
  // Every app registration signs in before anything is read or recorded: a wrong tenant, client or secret stops here.
  await Promise.all(credentials.map((credential) => credential.getToken(GRAPH_DEFAULT_SCOPE)));
  const fieldMap: FieldMap = { ...DEFAULT_FIELD_MAP, ...options.field };
  const source = sourceOf(options, config, fieldMap);
  // Counting reaches the legacy store: a wrong store setting stops here, before anything is created.
  const total = await source.total();
  const concurrency = BATCHES_IN_FLIGHT_PER_APP * credentials.length;
  // The run record's budget: what the pacers allow together, one per app registration.
  const budgetPerSecond = combined;
  if (options.sync) return syncCommand({ options, config, graph, ledger, source, fieldMap, total, concurrency, budgetPerSecond });
  let latest: PremigrateSummary | undefined;
  const inFlight = () => batches(latest?.batchesInFlight ?? 0);
  // Ctrl-C: answered at once; the batches in flight finish and are recorded. A second one exits at once.
  const interrupt = interruptOnSignal({
    onStop: () => say(`stopping: ${inFlight()} in flight, nothing new is sent; Ctrl-C again to exit at once.`),
    onExit: () => say(`stopped at once with ${inFlight()} in flight; their accounts stay pending and are looked up, never created twice: run the same command again to resume.`),
  });
  const showProgress = progressPrinter(total);
  try {
    const summary = await premigrate({
      source: source.rows(interrupt.abortSignal),
      fieldMap,
      ledger,
      graph,
      userBody: {
        tenantDomain: config.tenantDomain,
        flagAttribute: config.flagAttribute,
        attributeMap: options.attribute,
        ...(options.legacyIdAttribute && { legacyIdAttribute: options.legacyIdAttribute }),
      },
      dryRun: options.dryRun === true,
      methods: { email: options.emailMethod === true, phone: options.phoneMethod === true },
      readQuota: () => readDirectoryQuota({ baseUrl: config.graphBaseUrl, credential: credentials[0]! }),
      concurrency,
      budgetPerSecond,
      onWarning: (line) => say(`warning: ${line}`),
      abortSignal: interrupt.abortSignal,
      onProgress: (progress) => {
        latest = progress;
        showProgress(progress);
      },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (options.failures) await writeFile(options.failures, failuresCsv(summary.failures));
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : describe(summary, options, source.position));
    if (summary.interrupted) say('interrupted; run the same command again to resume.');
    return exitCodeOf(summary);
  } finally {
    interrupt.dispose();
  }
}

/** `--apply` and `--allow-mass-disable` belong to `--sync`, which is a dry run unless applied and registers no methods. */
function syncOptionProblems(options: PremigrateCommandOptions): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!options.sync) {
    if (options.apply) problems.push({ setting: '--apply', problem: 'only goes with --sync (premigrate itself writes unless --dry-run)' });
    if (options.allowMassDisable) problems.push({ setting: '--allow-mass-disable', problem: 'only goes with --sync' });
    return problems;
  }
  if (options.dryRun) problems.push({ setting: '--dry-run', problem: 'does not go with --sync, which is a dry run unless --apply is given' });
  if (options.emailMethod || options.phoneMethod) problems.push({ setting: options.emailMethod ? '--email-method' : '--phone-method', problem: 'does not go with --sync: a sync changes names, mail, the e-mail identity and accountEnabled only' });
  return problems;
}

/**
 * 0 when every account is done; 1 when anything failed, a row was skipped as invalid or duplicate, an account lacks
 * an authentication method, the run was interrupted, or (dry run) the accounts do not fit the directory quota.
 */
function exitCodeOf(summary: PremigrateSummary): number {
  const skippedRows = summary.rejected + summary.duplicates;
  const overQuota = summary.quota !== null && !summary.quota.fits;
  return summary.failed > 0 || skippedRows > 0 || summary.methodsFailed > 0 || summary.interrupted || overQuota ? ExitCode.FAILURE : ExitCode.OK;
}

/** Progress on stderr: one line rewritten in place on a terminal, a line every 5 s otherwise (logs, CI). */
function progressPrinter(total: number): (summary: PremigrateSummary) => void {
  let lastLine = 0;
  return (summary) => {
    // `failed` counts the invalid and duplicate rows too.
    const done = summary.created + summary.existing + summary.failed + summary.skipped + summary.wouldCreate;
    const rate = summary.elapsedInMs > 0 ? ((summary.created + summary.existing) * 1000) / summary.elapsedInMs : 0;
    const text = progressLine({ done, total, elapsedInMs: summary.elapsedInMs, ratePerSecond: rate, throttled: summary.throttled, failed: summary.failed });
    if (process.stderr.isTTY) process.stderr.write(`\r${text}\u001b[K`);
    else if (Date.now() - lastLine > 5000) {
      lastLine = Date.now();
      process.stderr.write(`${text}\n`);
    }
  };
}

/** A line on stderr, on a line of its own even while a progress bar is drawn. */
function say(text: string): void {
  process.stderr.write(`${process.stderr.isTTY ? '\r\u001b[K' : ''}entra-migrate premigrate: ${text}\n`);
}

function describe(summary: PremigrateSummary, options: PremigrateCommandOptions, position: PremigrateSource['position']): string {
  const seconds = summary.elapsedInMs / 1000;
  const graphFailed = summary.failed - summary.rejected - summary.duplicates;
  const failed = `${count(summary.failed)} ${options.dryRun ? 'would fail' : 'failed'} (${count(summary.rejected)} invalid, ${count(summary.duplicates)} duplicate${options.dryRun ? '' : `, ${count(graphFailed)} in Graph`})`;
  const lines = options.dryRun
    ? [`dry run: ${count(summary.read)} read: ${count(summary.wouldCreate)} would be created, ${count(summary.existing)} already in Entra, ${failed}`, quotaLine(summary)]
    : [
        `${count(summary.read)} read: ${count(summary.created)} created, ${count(summary.existing)} already in Entra, ${count(summary.skipped)} done earlier, ${failed}`,
        `${seconds.toFixed(1)} s, ${(seconds > 0 ? summary.created / seconds : 0).toFixed(1)} creates/s, ${count(summary.throttled)} throttled responses of ${count(summary.graphRequests)} Graph requests (run ${summary.runId})`,
        ...(options.emailMethod || options.phoneMethod ? [`${count(summary.methodsAdded)} authentication methods added, ${count(summary.methodsFailed)} accounts missing one (see --failures)`] : []),
      ];
  for (const failure of summary.failures.slice(0, FAILURES_SHOWN)) {
    const where = [failure.line === undefined ? '' : `${position} ${failure.line}`, failure.legacyId ? `id ${failure.legacyId}` : ''].filter(Boolean).join(', ');
    lines.push(`  ${where || 'unknown row'}: ${failure.reason}`);
  }
  const listed = summary.failures.length;
  if (listed > FAILURES_SHOWN && !options.failures) lines.push(`  … ${count(listed - FAILURES_SHOWN)} more: list them all with --failures failures.csv`);
  if (summary.failed > listed) lines.push(`  only the first ${count(listed)} of ${count(summary.failed)} failures are kept${options.failures ? ` in ${options.failures}` : ''}; fix those and run again to see the rest`);
  return `${lines.join('\n')}\n`;
}

/** The dry run's directory quota: objects in use, and whether the new accounts would fit. */
function quotaLine(summary: PremigrateSummary): string {
  const created = `${count(summary.wouldCreate)} new account${summary.wouldCreate === 1 ? '' : 's'} would be created`;
  const { quota } = summary;
  if (quota === null) return `directory quota: unknown (Graph did not report it; External ID tenants allow 300,000 objects unless raised); ${created}`;
  const used = `directory quota: ${count(quota.used)} of ${count(quota.total)} objects used; ${created}`;
  if (summary.wouldCreate === 0) return used;
  if (quota.fits) return `${used}; they fit (${count(quota.total - quota.used - summary.wouldCreate)} objects left after)`;
  return `${used}; they do NOT fit (${count(quota.used + summary.wouldCreate - quota.total)} over): ask Microsoft to raise the quota first`;
}

/** `--failures`: legacy_id and reason first (as before), then the source line of rows that were never sent. */
function failuresCsv(failures: PremigrateSummary['failures']): string {
  const rows = failures.map((failure) => `${csv(failure.legacyId)},${csv(failure.reason)},${failure.line ?? ''}`);
  return ['legacy_id,reason,line', ...rows].join('\n') + '\n';
}

function batches(n: number): string {
  return n === 1 ? '1 batch' : `${count(n)} batches`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function csv(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
