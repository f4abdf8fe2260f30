import { writeFile } from 'node:fs/promises';
import { countSqlSource, DEFAULT_FIELD_MAP, estimateRowCount, premigrate, readSource, readSqlSource, type FieldMap, type PremigrateSummary } from '../../bulk/index.js';
import { ConfigError, loadPremigrateConfig, readCredentialsFile, type AppRegistrationSettings, type PremigrateConfig } from '../../config/index.js';
import { appCredential, createGraphBatchClient, createGraphClientPool, createPacer, readDirectoryQuota } from '../../graph/index.js';
import { openLedger } from '../../ledger/index.js';
import { ExitCode } from '../exit-codes.js';
import { progressLine } from '../progress-line.js';
import { reportError } from '../report-error.js';

export interface PremigrateCommandOptions {
  from?: string;
  dryRun?: boolean;
  rate: number;
  credentials?: string;
  emailMethod?: boolean;
  phoneMethod?: boolean;
  json?: boolean;
  failures?: string;
  legacyIdAttribute?: string;
  attribute: Record<string, string>;
  /** Record field (camelCase) → source column, from `--field`. */
  field: Partial<FieldMap>;
}

/** Graph's identity-write limit per tenant across app registrations: 18,000 per 5 minutes. */
const TENANT_WRITES_PER_SECOND = 60;
/** `$batch` requests in flight per app registration: enough for Graph's latency, the pacer sets the rate. */
const BATCHES_IN_FLIGHT_PER_APP = 4;

/** `entra-migrate premigrate`: phase 1 from the options and the environment; resolves with the exit code. */
export async function premigrateCommand(options: PremigrateCommandOptions): Promise<number> {
  let config: PremigrateConfig;
  let apps: AppRegistrationSettings[];
  let ledger;
  try {
    config = loadPremigrateConfig(process.env, { appFromEnvironment: !options.credentials });
    if (!options.from && !config.legacyExport) {
      throw new ConfigError([{ setting: '--from', problem: 'give a .jsonl or .csv file, or set LEGACY_DATABASE_URL and LEGACY_EXPORT_QUERY to read the legacy store' }]);
    }
    apps = options.credentials ? readCredentialsFile(options.credentials) : [config.app];
    const credentials = apps.map((app) => appCredential({ authorityHost: config.authorityHost, tenantId: config.tokenTenantId, ...app }).credential);
    ledger = await openLedger(config.ledgerDatabaseUrl);
    return await runWith(options, config, credentials, ledger);
  } catch (error) {
    return reportError('premigrate', error);
  } finally {
    await ledger?.close();
  }
}

async function runWith(
  options: PremigrateCommandOptions,
  config: PremigrateConfig,
  credentials: ReturnType<typeof appCredential>['credential'][],
  ledger: Awaited<ReturnType<typeof openLedger>>,
): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const graph = createGraphClientPool(
    credentials.map((credential) => createGraphBatchClient({ baseUrl: config.graphBaseUrl, credential, pacer: createPacer({ ratePerSecond: options.rate }) })),
  );
  const combined = options.rate * credentials.length;
  if (combined > TENANT_WRITES_PER_SECOND) {
    process.stderr.write(`entra-migrate premigrate: ${credentials.length} app registrations × ${options.rate} writes/s = ${combined}/s is above the tenant's ~${TENANT_WRITES_PER_SECOND}/s; Graph will throttle (429) and the pacers will slow down. Lower --rate to ${Math.floor(TENANT_WRITES_PER_SECOND / credentials.length)}.\n`);
  }
  const fieldMap: FieldMap = { ...DEFAULT_FIELD_MAP, ...options.field };
  // The SQL export pages on the column that holds the id.
  const sqlSource = config.legacyExport && { ...config.legacyExport, keyColumn: fieldMap.id };
  const total = options.from ? await estimateRowCount(options.from) : await countSqlSource(sqlSource!);
  let lastLine = 0;
  const progress = (summary: PremigrateSummary) => {
    const done = summary.created + summary.existing + summary.failed + summary.skipped + summary.wouldCreate + summary.rejected + summary.duplicates;
    const rate = summary.elapsedInMs > 0 ? ((summary.created + summary.existing) * 1000) / summary.elapsedInMs : 0;
    const text = progressLine({ done, total, elapsedInMs: summary.elapsedInMs, ratePerSecond: rate, throttled: summary.throttled, failed: summary.failed });
    if (process.stderr.isTTY) process.stderr.write(`\r${text}\u001b[K`);
    else if (Date.now() - lastLine > 5000) {
      lastLine = Date.now();
      process.stderr.write(`${text}\n`);
    }
  };
  try {
    const summary = await premigrate({
      source: options.from ? readSource(options.from) : readSqlSource(sqlSource!),
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
      concurrency: BATCHES_IN_FLIGHT_PER_APP * credentials.length,
      abortSignal: stop.signal,
      onProgress: progress,
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (options.failures) await writeFile(options.failures, ['legacy_id,reason', ...summary.failures.map((failure) => `${csv(failure.legacyId)},${csv(failure.reason)}`)].join('\n') + '\n');
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : describe(summary, options));
    if (summary.interrupted) process.stderr.write(`entra-migrate premigrate: interrupted; run the same command again to resume.\n`);
    const overQuota = summary.quota !== null && !summary.quota.fits;
    return summary.failed > 0 || summary.methodsFailed > 0 || summary.interrupted || overQuota ? ExitCode.FAILURE : ExitCode.OK;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function describe(summary: PremigrateSummary, options: PremigrateCommandOptions): string {
  const seconds = summary.elapsedInMs / 1000;
  const lines = options.dryRun
    ? [
        `dry run: ${summary.read} read, ${summary.wouldCreate} would be created, ${summary.existing} already in Entra, ${summary.rejected} rejected, ${summary.duplicates} duplicates`,
        summary.quota === null
          ? "directory quota: unknown (Graph did not report it; External ID tenants allow 300,000 objects unless raised)"
          : `directory quota: ${summary.quota.used} of ${summary.quota.total} objects used; ${summary.wouldCreate} more ${summary.quota.fits ? 'fit' : `do NOT fit (${summary.quota.used + summary.wouldCreate - summary.quota.total} over): ask Microsoft to raise the quota first`}`,
      ]
    : [
        `${summary.read} read: ${summary.created} created, ${summary.existing} already in Entra, ${summary.skipped} done earlier, ${summary.failed} failed, ${summary.rejected} rejected, ${summary.duplicates} duplicates`,
        `${seconds.toFixed(1)} s, ${(seconds > 0 ? summary.created / seconds : 0).toFixed(1)} creates/s, ${summary.throttled} throttled responses`,
        ...(options.emailMethod || options.phoneMethod ? [`${summary.methodsAdded} authentication methods added, ${summary.methodsFailed} accounts missing one (see --failures)`] : []),
      ];
  for (const rejection of summary.rejections.slice(0, 20)) lines.push(`  line ${rejection.line}: ${rejection.reason}`);
  return `${lines.join('\n')}\n`;
}

function csv(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
