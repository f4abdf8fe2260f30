import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { premigrate, readSource, type PremigrateSummary } from '../../bulk/index.js';
import { loadPremigrateConfig } from '../../config/index.js';
import { createClientSecretCredential, createGraphBatchClient, createPacer } from '../../graph/index.js';
import { openLedger } from '../../ledger/index.js';
import { ExitCode } from '../exit-codes.js';
import { reportError } from '../report-error.js';

interface PremigrateCommandOptions {
  from: string;
  dryRun?: boolean;
  rate: number;
  json?: boolean;
  failures?: string;
  legacyIdAttribute?: string;
  attribute: Record<string, string>;
}

const EXTENSION_ATTRIBUTE = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;

const collectAttribute = (value: string, map: Record<string, string>) => {
  const [field, attribute] = value.split('=', 2);
  if (!field || !attribute || !EXTENSION_ATTRIBUTE.test(attribute)) throw new InvalidArgumentError('expected <source field>=extension_<appIdWithoutHyphens>_<name>.');
  return { ...map, [field]: attribute };
};

const parseRate = (value: string) => {
  const rate = Number(value);
  if (!(rate > 0 && rate <= 60)) throw new InvalidArgumentError('writes per second, above 0 and at most 60 (the per-tenant limit).');
  return rate;
};

export function registerPremigrate(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('premigrate')
    .description('phase 1: create every legacy account in Entra through Graph, flagged toBeMigrated; resumable and idempotent')
    .requiredOption('--from <file>', 'a .jsonl or .csv file of legacy accounts (fields: id, email, display_name, given_name, surname, password)')
    .option('--dry-run', 'validate every record and look up conflicts in Entra; write nothing')
    .option('--rate <writes/s>', 'Graph write budget for this app registration', parseRate, 18)
    .option('--legacy-id-attribute <name>', 'directory extension attribute that receives the legacy id')
    .option('--attribute <field=extension_…>', 'write a source field to a directory extension attribute (repeatable)', collectAttribute, {})
    .option('--failures <file.csv>', 'write the failed accounts (legacy id, reason) as CSV')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Settings (environment): ENTRA_TENANT_ID, ENTRA_TENANT_DOMAIN (e.g. contoso.onmicrosoft.com), MIGRATION_FLAG_ATTRIBUTE
(extension_<appId>_toBeMigrated), AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, AZURE_TENANT_ID (default ENTRA_TENANT_ID),
GRAPH_BASE_URL (default https://graph.microsoft.com), AZURE_AUTHORITY_HOST (default https://login.microsoftonline.com),
LEDGER_DATABASE_URL (default sqlite://./data/ledger.db).

Each account is recorded in the ledger as pending before it is sent and created/existing/failed after; run the same
command again to resume: accounts already created are skipped, and any left pending are looked up, never re-created.
Ctrl-C finishes the requests in flight, records them and exits. Exit codes: 0 all done, 1 failures or interrupted,
2 invalid settings.`,
    )
    .action(async (options: PremigrateCommandOptions) => setExitCode(await run(options)));
}

async function run(options: PremigrateCommandOptions): Promise<number> {
  let config;
  let ledger;
  try {
    config = loadPremigrateConfig(process.env);
    ledger = await openLedger(config.ledgerDatabaseUrl);
  } catch (error) {
    return reportError('premigrate', error);
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const pacer = createPacer({ ratePerSecond: options.rate });
  const graph = createGraphBatchClient({
    baseUrl: config.graphBaseUrl,
    credential: createClientSecretCredential({ authorityHost: config.authorityHost, tenantId: config.tokenTenantId, clientId: config.clientId, clientSecret: config.clientSecret }),
    pacer,
  });
  let lastLine = 0;
  const progress = (summary: PremigrateSummary) => {
    const done = summary.created + summary.existing + summary.failed + summary.skipped;
    const rate = summary.elapsedInMs > 0 ? ((summary.created + summary.existing) * 1000) / summary.elapsedInMs : 0;
    const text = `${options.dryRun ? 'checked' : 'done'} ${done} of ${summary.read} read · ${rate.toFixed(1)}/s · throttled ${summary.throttled} · failed ${summary.failed}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${text}\u001b[K`);
    else if (Date.now() - lastLine > 5000) {
      lastLine = Date.now();
      process.stderr.write(`${text}\n`);
    }
  };
  try {
    const summary = await premigrate({
      source: readSource(options.from),
      ledger,
      graph,
      pacer,
      userBody: {
        tenantDomain: config.tenantDomain,
        flagAttribute: config.flagAttribute,
        attributeMap: options.attribute,
        ...(options.legacyIdAttribute && { legacyIdAttribute: options.legacyIdAttribute }),
      },
      dryRun: options.dryRun === true,
      abortSignal: stop.signal,
      onProgress: progress,
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (options.failures) await writeFile(options.failures, ['legacy_id,reason', ...summary.failures.map((failure) => `${csv(failure.legacyId)},${csv(failure.reason)}`)].join('\n') + '\n');
    process.stdout.write(options.json ? `${JSON.stringify(summary)}\n` : describe(summary, options));
    if (summary.interrupted) process.stderr.write(`entra-migrate premigrate: interrupted; run the same command again to resume.\n`);
    return summary.failed > 0 || summary.interrupted ? ExitCode.FAILURE : ExitCode.OK;
  } catch (error) {
    return reportError('premigrate', error);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await ledger.close();
  }
}

function describe(summary: PremigrateSummary, options: PremigrateCommandOptions): string {
  const seconds = summary.elapsedInMs / 1000;
  const lines = options.dryRun
    ? [`dry run: ${summary.read} read, ${summary.wouldCreate} would be created, ${summary.existing} already in Entra, ${summary.rejected} rejected, ${summary.duplicates} duplicates`]
    : [
        `${summary.read} read: ${summary.created} created, ${summary.existing} already in Entra, ${summary.skipped} done earlier, ${summary.failed} failed, ${summary.rejected} rejected, ${summary.duplicates} duplicates`,
        `${seconds.toFixed(1)} s, ${(seconds > 0 ? summary.created / seconds : 0).toFixed(1)} creates/s, ${summary.throttled} throttled responses`,
      ];
  for (const rejection of summary.rejections.slice(0, 20)) lines.push(`  line ${rejection.line}: ${rejection.reason}`);
  return `${lines.join('\n')}\n`;
}

function csv(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
