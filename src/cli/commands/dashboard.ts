import type { Command } from 'commander';
import type { DashboardCommandOptions } from '../actions/dashboard.js';

export function registerDashboard(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('dashboard')
    .description("a web page over the ledger for the migration team: progress over time, the extension's answers and latency per hour, stragglers with search and CSV; reads only")
    .option('--env-file <file>', "a dotenv file of settings (KEY=value lines, e.g. setup --write-env's); the environment wins")
    .addHelpText(
      'after',
      `
The page shows what \`entra-migrate status\` prints, live (it asks for new figures every 3 s): accounts pre-created,
migrated by the extension, by a password reset and at sign-up, and remaining, drawn over time since the dashboard
started; the extension's answers per hour over the last day (MigratePassword, UpdatePassword, Retry, Block for a
locked legacy account, Block because the legacy system was unavailable, sign-ups) with p50/p95/p99 latency against
RESPONSE_DEADLINE_MS and Entra's 2000 ms timeout; what needs attention; and the stragglers, with a search and a CSV
of their legacy ids and e-mail addresses. Charts have tables beside them.

Settings (environment, over --env-file):
  DASHBOARD_PORT        port to listen on (default 7090; 0 picks a free one)
  HOST                  interface to listen on (default 127.0.0.1, this machine only)
  DASHBOARD_TOKEN       required when HOST is not loopback (at least 16 characters): browsers sign in at /login,
                        scripts send "Authorization: Bearer <token>"; never printed or logged
  LEDGER_DATABASE_URL   the ledger (default sqlite://./data/ledger.db); a SQLite file that does not exist is refused
  RESPONSE_DEADLINE_MS  the deadline the latency is drawn against (default 1500, as serve)

Exit codes: 0 stopped by Ctrl-C or SIGTERM; 1 the ledger cannot be read or the port is in use; 2 invalid settings
(DASHBOARD_TOKEN missing off loopback, among others): nothing was started.`,
    )
    .action(async (options: DashboardCommandOptions) => setExitCode(await (await import('../actions/dashboard.js')).dashboardCommand(options)));
}
