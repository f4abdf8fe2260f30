import { existsSync } from 'node:fs';
import { ConfigError, DEFAULT_LEDGER_DATABASE_URL, loadSettings } from '../../config/index.js';
import { DECISION_ACTIONS, LedgerError, LedgerErrorCode, openLedger, parseLedgerUrl, type Ledger, type LedgerLocation } from '../../ledger/index.js';
import { statusFigures, stragglerCsvLines, type StatusFigures, type StragglerExportCount } from '../../status/index.js';
import { writeFileAtomically } from '../write-file-atomically.js';
import { ExitCode } from '../exit-codes.js';
import { reportError } from '../report-error.js';

/** The options of `entra-migrate status`, as the command line gives them. */
export interface StatusCommandOptions {
  json?: boolean;
  days: number;
  stragglers?: string;
  envFile?: string;
}

/** `entra-migrate status`: reads the ledger, prints the figures, writes the stragglers; resolves with the exit code. */
export async function statusCommand(options: StatusCommandOptions, now: () => Date = () => new Date()): Promise<number> {
  let ledger: Ledger | undefined;
  try {
    const { url, location } = ledgerOf(options);
    ledger = await openLedger(url);
    const figures = await statusFigures({ ledger, days: options.days, now: now() });
    process.stdout.write(options.json ? `${JSON.stringify(figures)}\n` : describe(figures, shown(location)));
    if (options.stragglers !== undefined) {
      const count: StragglerExportCount = { accounts: 0, neverSignedIn: 0 };
      try {
        await writeFileAtomically(options.stragglers, stragglerCsvLines(ledger, count));
      } catch (error) {
        if (error instanceof LedgerError) throw error;
        process.stderr.write(`entra-migrate status: the stragglers cannot be written to ${options.stragglers}: ${(error as Error).message}; choose another --stragglers file.\n`);
        return ExitCode.FAILURE;
      }
      process.stderr.write(
        `entra-migrate status: ${count.accounts.toLocaleString('en-US')} accounts that have not migrated written to ${options.stragglers} ` +
          `(${count.neverSignedIn.toLocaleString('en-US')} never signed in, ${(count.accounts - count.neverSignedIn).toLocaleString('en-US')} tried without migrating).\n`,
      );
    }
    return ExitCode.OK;
  } catch (error) {
    return reportError('status', error);
  } finally {
    await ledger?.close();
  }
}

/**
 * The ledger named by LEDGER_DATABASE_URL. A URL that cannot be parsed is a settings problem (exit 2); a SQLite file
 * that does not exist is refused rather than created, so a mistyped path does not print an empty migration.
 */
function ledgerOf(options: StatusCommandOptions): { url: string; location: LedgerLocation } {
  const raw = loadSettings({ env: process.env, envFile: options.envFile });
  const url = raw.LEDGER_DATABASE_URL?.trim() || DEFAULT_LEDGER_DATABASE_URL;
  let location: LedgerLocation;
  try {
    location = parseLedgerUrl(url);
  } catch (error) {
    if (error instanceof LedgerError) throw new ConfigError([{ setting: 'LEDGER_DATABASE_URL', problem: error.publicMessage.replace(/^LEDGER_DATABASE_URL /, '') }]);
    throw error;
  }
  if (location.kind === 'sqlite' && !existsSync(location.path)) {
    throw new LedgerError(LedgerErrorCode.UNAVAILABLE, `There is no ledger at ${location.path}: run premigrate first, or set LEDGER_DATABASE_URL to the ledger serve and premigrate use.`);
  }
  return { url, location };
}

function shown(location: LedgerLocation): string {
  switch (location.kind) {
    case 'memory':
      return 'memory:';
    case 'sqlite':
      return location.path;
    case 'postgres':
      return location.shown;
  }
}

/** The answers' columns, short enough for a terminal. */
const ACTION_COLUMNS: Readonly<Record<(typeof DECISION_ACTIONS)[number], string>> = {
  MigratePassword: 'Migrate',
  UpdatePassword: 'Update',
  Retry: 'Retry',
  Block: 'Block',
  modifyAttributeValues: 'Sign-up',
};

function describe(figures: StatusFigures, where: string): string {
  const lines = [`ledger ${where}, ${figures.generatedAt}`];
  lines.push(
    figures.lastReconcileAt === null
      ? 'reconcile has not run: nothing below is confirmed through Graph; "migrated" counts our answers only (run entra-migrate reconcile)'
      : `reconcile last read Graph at ${figures.lastReconcileAt}: "confirmed" is as of then`,
    '',
  );
  const row = (label: string, n: number, note = '') => lines.push(`${label.padEnd(32)}${count(n).padStart(11)}${note ? `  ${note}` : ''}`);
  const { accounts } = figures;
  row('accounts pre-created', accounts.preCreated, accounts.pendingCreation > 0 ? `and ${count(accounts.pendingCreation)} pending creation (the next premigrate resolves them)` : '');
  row('failed to pre-create', accounts.failed, accounts.failed > 0 ? 'premigrate --failures FILE.csv lists why' : '');
  row('migrated', figures.migrated, `${count(figures.migratedConfirmed)} confirmed by reconcile`);
  row('  by the extension', figures.migratedBy.extension, figures.migratedByExtensionUnconfirmed > 0 ? `${count(figures.migratedByExtensionUnconfirmed)} answered MigratePassword, not yet confirmed` : '');
  row('  by a password reset', figures.migratedBy.reset, 'seen by reconcile only');
  row('  by sign-up', figures.migratedBy.signUp, 'from our answers');
  row('needing a new password', figures.needsNewPassword, 'UpdatePassword answered');
  row('blocked', figures.blocked, 'Block answered: the legacy account is blocked');
  row('tried, not migrated', figures.triedNotMigrated, 'Retry, or Block while the legacy system was unavailable');
  row('never signed in (stragglers)', figures.neverSignedIn, '--stragglers FILE.csv lists them');
  row('not applied (needs attention)', figures.notApplied, figures.notApplied > 0 ? 'entra-migrate reconcile lists them with correlation ids' : '');
  row('released by cut-over', figures.releasedByCutover);
  lines.push('', `answers per UTC day, ${figures.answers.from} to ${figures.answers.to}; unavailable: ${figures.answers.unavailableReasons.join(', ')}`);
  const header = ['day'.padEnd(10), 'answers', ...DECISION_ACTIONS.map((action) => ACTION_COLUMNS[action]), 'p50 ms', 'p99 ms', 'unavailable'];
  lines.push(header.map((cell, i) => (i === 0 ? cell : cell.padStart(Math.max(cell.length, 7)))).join('  '));
  for (const day of figures.answers.perDay) {
    const cells = [
      day.day,
      count(day.answers),
      ...DECISION_ACTIONS.map((action) => count(day.byAction[action])),
      day.p50LatencyInMs === null ? '-' : String(Math.round(day.p50LatencyInMs)),
      day.p99LatencyInMs === null ? '-' : String(Math.round(day.p99LatencyInMs)),
      day.unavailableShare === null ? '-' : `${(day.unavailableShare * 100).toFixed(1)}%`,
    ];
    lines.push(cells.map((cell, i) => (i === 0 ? cell : cell.padStart(Math.max(header[i]!.length, 7)))).join('  '));
  }
  return `${lines.join('\n')}\n`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
