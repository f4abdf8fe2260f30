import { InvalidArgumentError, type Command } from 'commander';
import { isLoopbackUrl } from '../../common/loopback.js';
import type { CutoverCommandOptions } from '../actions/cutover.js';

/**
 * `--max-daily` by default: 10 MigratePassword answers in 24 hours. At the end of a window the extension should be
 * migrating a handful of users a day; ten a day still means a few dozen more would migrate without a reset within
 * the week, so cut-over waits (or is forced) rather than sending them to "Forgot password".
 */
const DEFAULT_MAX_DAILY = 10;

/** `--target-url`: the extension's endpoint, as `setup --target-url` took it (https, or http on loopback). */
const parseTargetUrl = (value: string) => {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (!url || !(url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackUrl(value)))) {
    throw new InvalidArgumentError('the URL given to setup --target-url, e.g. https://auth.contoso.com/events/password-submit (http on loopback only).');
  }
  return url.href;
};

/** `--max-daily`: a whole number of MigratePassword answers, 0 to 1,000,000. */
const parseMaxDaily = (value: string) => {
  if (!/^\d{1,7}$/.test(value) || Number(value) > 1_000_000) throw new InvalidArgumentError('a whole number from 0 to 1000000, e.g. 10.');
  return Number(value);
};

export function registerCutover(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('cutover')
    .description('end of the migration window: remove the listener and clear the flag of the accounts never migrated (stragglers), who then reset their password with Entra; a dry run unless --apply')
    .requiredOption('--target-url <url>', "the extension's endpoint given to setup: its listener is the one removed, as setup --remove does", parseTargetUrl)
    .option('--apply', 'act: remove the listener, clear the stragglers\' flags, record them released-by-cutover, write --notify')
    .option('--max-daily <n>', 'refuse while the extension answered MigratePassword more than n times in the last 24 hours', parseMaxDaily, DEFAULT_MAX_DAILY)
    .option('--force', 'cut over even above --max-daily')
    .option('--notify <file.csv>', 'with --apply, write every released account (legacy_id, email, display_name) for a "please reset your password" mailing')
    .option('--json', 'print the summary as JSON (keys in docs/cutover.md)')
    .option('--env-file <file>', "a dotenv file of settings (KEY=value lines, e.g. setup --write-env's); the environment wins")
    .option('--credentials <file.json>', 'several app registrations, each with its own read and write budget: [{"clientId", "clientSecret" | "certificatePath"}, …] (mode 600)')
    .addHelpText(
      'after',
      `
Stragglers are the accounts premigrate created (or found) that the ledger does not hold as migrated and whose flag
Graph still reports true (read as reconcile reads: GETs with $select, 20 to a $batch, paced). Without --apply,
cutover reads Graph and the tenant's listeners, prints the stragglers and the plan, and changes nothing.

With --apply, in this order:
  1. the OnPasswordSubmit listener calling --target-url is removed (exactly setup --target-url URL --remove):
     Entra calls the extension for nobody from now on;
  2. each straggler's flag is set to false (PATCH /users/{id}, 20 to a $batch, paced to the identity-write budget,
     Retry-After honoured) and recorded released-by-cutover in the ledger; reconcile counts these apart and never
     as password resets. Migrated accounts are not written to. Run again after a stop: it resumes;
  3. --notify FILE.csv is written (atomically) with every account released so far, for the mailing: those users
     sign in with Entra's "Forgot password".
It ends with the decommissioning checklist.

Refusal: while the extension still migrates users (more than --max-daily MigratePassword answers in the ledger in
the last 24 hours; default ${DEFAULT_MAX_DAILY}), --apply refuses and changes nothing; --force overrides.

Settings (environment, over --env-file): the tenant in ENTRA_TENANT_ID or AZURE_TENANT_ID, MIGRATION_FLAG_ATTRIBUTE,
LEDGER_DATABASE_URL (default sqlite://./data/ledger.db), GRAPH_BASE_URL, AZURE_AUTHORITY_HOST, AZURE_CLIENT_ID with
AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (or --credentials; the listener is removed with the first).
The app registrations need User.ReadWrite.All; the first also EventListener.ReadWrite.All and
CustomAuthenticationExtension.Read.All.

Exit codes: 0 done (or the dry run printed); 1 refused above --max-daily, or a flag not cleared (listed), Graph
left an account unanswered or returned no flag; 2 invalid settings or options (nothing was contacted); 130
interrupted by Ctrl-C (run again to resume).`,
    )
    .action(async (options: CutoverCommandOptions) => setExitCode(await (await import('../actions/cutover.js')).cutoverCommand(options)));
}
