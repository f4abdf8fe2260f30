import { InvalidArgumentError, type Command } from 'commander';
import type { StatusCommandOptions } from '../actions/status.js';

/** The most days `--days` may ask for: a year and a bit. */
const MAX_DAYS = 400;
/** Days of answers shown when `--days` is not given: a month, the span a migration team reviews. */
const DEFAULT_DAYS = 30;

/** `--days`: whole days from 1 to 400. */
const parseDays = (value: string) => {
  const days = Number(value);
  if (!/^\d{1,3}$/.test(value) || days < 1 || days > MAX_DAYS) throw new InvalidArgumentError(`whole days from 1 to ${MAX_DAYS}, e.g. 30.`);
  return days;
};

export function registerStatus(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('status')
    .description('where the migration stands, from the ledger: pre-created, migrated (by the extension, a reset, sign-up), needing attention, never signed in; answers per day; reads only')
    .option('--json', 'print the figures as JSON (keys in docs/status.md)')
    .option('--days <n>', 'days of answers shown, ending today (UTC)', parseDays, DEFAULT_DAYS)
    .option('--stragglers <file.csv>', 'write the pre-created accounts that have not migrated (legacy id, e-mail, pre-created at, last attempt, last answer) to this CSV file, replaced atomically (mode 600)')
    .option('--env-file <file>', "a dotenv file of settings (KEY=value lines, e.g. setup --write-env's); the environment wins")
    .addHelpText(
      'after',
      `
Each pre-created account is counted once: migrated by the extension (confirmed by reconcile, or MigratePassword
answered and not yet confirmed), migrated by a password reset (reconcile only), needing a new password (UpdatePassword
answered), blocked (Block for the legacy account itself), tried but not migrated (Retry, or Block because the legacy
system was unavailable), never signed in (the stragglers), not applied (needs attention: see reconcile) or released
by cut-over. Sign-ups that linked a legacy account are counted from our answers. Until reconcile has run, nothing is
confirmed through Graph and the figures say so.

The answers per UTC day: counts per action, p50 and p99 latency, and the share answered "unavailable" (reasons
legacy-store-unavailable, deadline-exceeded, overloaded, legacy-hash-unverifiable).

Settings (environment, over --env-file): LEDGER_DATABASE_URL (default sqlite://./data/ledger.db).

Exit codes: 0 the figures were printed (and the CSV written); 1 the ledger cannot be read or the CSV cannot be
written; 2 invalid settings or options.`,
    )
    .action(async (options: StatusCommandOptions) => setExitCode(await (await import('../actions/status.js')).statusCommand(options)));
}
