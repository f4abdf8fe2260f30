import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { ConfigError } from '../config/index.js';
import { LedgerError, LedgerErrorCode, openLedger, parseLedgerUrl, redactLedgerUrl, type Ledger } from '../ledger/index.js';
import type { DashboardConfig } from './dashboard-config.js';
import { buildDashboardServer } from './server.js';

/** A dashboard listening: its address (never with the token) and how to stop it. */
export interface RunningDashboard {
  /** `http://127.0.0.1:7090/` */
  readonly url: string;
  readonly port: number;
  /** Stops listening, then closes the ledger it opened. */
  close(): Promise<void>;
}

/**
 * Opens the ledger the configuration names and serves the dashboard over it until `close`. A SQLite file that does not
 * exist is refused rather than created (as `status` does), so a mistyped path does not show an empty migration.
 *
 * @example
 *   const dashboard = await startDashboard(loadDashboardConfig(process.env));
 *   console.log(`dashboard on ${dashboard.url}`);
 */
export async function startDashboard(config: DashboardConfig, options: { now?: () => Date } = {}): Promise<RunningDashboard> {
  const ledgerShown = ledgerShownOf(config.ledgerDatabaseUrl);
  const ledger: Ledger = await openLedger(config.ledgerDatabaseUrl);
  try {
    const app = await buildDashboardServer({ ledger, ledgerShown, token: config.token, deadlineInMs: config.responseDeadlineInMs, ...(options.now && { now: options.now }) });
    await app.listen({ port: config.port, host: config.host });
    const { port } = app.server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      url: `http://${host}:${port}/`,
      port,
      close: async () => {
        await app.close();
        await ledger.close();
      },
    };
  } catch (error) {
    await ledger.close();
    throw error;
  }
}

/** The ledger as the page shows it; a URL that cannot be parsed is a settings problem, a missing SQLite file refused. */
function ledgerShownOf(url: string): string {
  let location;
  try {
    location = parseLedgerUrl(url);
  } catch (error) {
    if (error instanceof LedgerError) throw new ConfigError([{ setting: 'LEDGER_DATABASE_URL', problem: error.publicMessage.replace(/^LEDGER_DATABASE_URL /, '') }]);
    throw error;
  }
  switch (location.kind) {
    case 'memory':
      return 'memory:';
    case 'sqlite':
      if (!existsSync(location.path)) {
        throw new LedgerError(LedgerErrorCode.UNAVAILABLE, `There is no ledger at ${location.path}: run premigrate first, or set LEDGER_DATABASE_URL to the ledger serve and premigrate use.`);
      }
      return location.path;
    case 'postgres':
      return location.shown ?? redactLedgerUrl(url);
  }
}
