import { loadSettings } from '../../config/index.js';
import { loadDashboardConfig } from '../../dashboard/dashboard-config.js';
import { startDashboard, type RunningDashboard } from '../../dashboard/start-dashboard.js';
import { ExitCode } from '../exit-codes.js';
import { reportError, type PortChoice } from '../report-error.js';
import { untilSignal } from '../until-signal.js';

/** The options of `entra-migrate dashboard`, as the command line gives them. */
export interface DashboardCommandOptions {
  envFile?: string;
}

/** `entra-migrate dashboard`: checks the settings, serves the page over the ledger until SIGINT/SIGTERM. */
export async function dashboardCommand(options: DashboardCommandOptions): Promise<number> {
  let dashboard: RunningDashboard;
  let ports: PortChoice[] = [];
  try {
    const config = loadDashboardConfig(loadSettings({ env: process.env, envFile: options.envFile }));
    ports = [{ port: config.port, chosenWith: 'DASHBOARD_PORT' }];
    dashboard = await startDashboard(config);
    // The address only: the token is never printed.
    process.stdout.write(`entra-migrate dashboard: listening on ${dashboard.url}${config.token === undefined ? '' : ' (sign in with DASHBOARD_TOKEN)'}; Ctrl-C stops it.\n`);
  } catch (error) {
    return reportError('dashboard', error, { ports });
  }
  await untilSignal();
  await dashboard.close();
  return ExitCode.OK;
}
