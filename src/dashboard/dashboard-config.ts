import { isLoopbackHost } from '../common/loopback.js';
import { ConfigError, DEFAULT_LEDGER_DATABASE_URL, SettingsReader, type RawSettings } from '../config/index.js';

/** Default port of the dashboard: beside serve's 7071 and the emulator's 7080, and free of both. */
export const DEFAULT_DASHBOARD_PORT = 7090;
/** Default interface: this machine only, so a dashboard started without thought is not on the network. */
export const DEFAULT_DASHBOARD_HOST = '127.0.0.1';
/**
 * The deadline the latency chart is drawn against when RESPONSE_DEADLINE_MS is not set: serve's own default, 1500 ms
 * (Entra waits at most 2000 ms; 500 ms are left for the network).
 */
export const DEFAULT_DASHBOARD_DEADLINE_IN_MS = 1500;
/**
 * The shortest DASHBOARD_TOKEN accepted: 16 characters. A token is the only thing between the network and the
 * ledger's e-mail addresses; `openssl rand -base64 24` gives 32.
 */
export const MIN_DASHBOARD_TOKEN_LENGTH = 16;

export interface DashboardConfig {
  readonly port: number;
  readonly host: string;
  /** Required off loopback; when set (anywhere), every page and endpoint asks for it. Never logged. */
  readonly token: string | undefined;
  readonly ledgerDatabaseUrl: string;
  /** RESPONSE_DEADLINE_MS, as serve reads it: the line the latency chart is drawn against. */
  readonly responseDeadlineInMs: number;
}

/**
 * Reads the dashboard's settings: `DASHBOARD_PORT` (default 7090), `HOST` (default 127.0.0.1), `DASHBOARD_TOKEN`
 * (required unless HOST is loopback), `LEDGER_DATABASE_URL` and `RESPONSE_DEADLINE_MS`. Every problem is reported
 * at once in a {@link ConfigError}; the token's value never appears in one.
 *
 * @example
 *   const config = loadDashboardConfig({ HOST: '0.0.0.0', DASHBOARD_TOKEN: process.env.DASHBOARD_TOKEN });
 */
export function loadDashboardConfig(raw: RawSettings): DashboardConfig {
  const read = new SettingsReader(raw);
  const port = read.integer('DASHBOARD_PORT', { default: DEFAULT_DASHBOARD_PORT, min: 0, max: 65535 });
  const host = read.optional('HOST') ?? DEFAULT_DASHBOARD_HOST;
  const token = read.optional('DASHBOARD_TOKEN');
  if (token === undefined && !isLoopbackHost(host)) {
    read.report('DASHBOARD_TOKEN', `is required when HOST is not this machine (HOST is ${host.slice(0, 100)}): the page lists e-mail addresses; set a random secret of at least ${MIN_DASHBOARD_TOKEN_LENGTH} characters (e.g. openssl rand -base64 24), or leave HOST unset to listen on 127.0.0.1 only`);
  }
  if (token !== undefined && token.length < MIN_DASHBOARD_TOKEN_LENGTH) {
    read.report('DASHBOARD_TOKEN', `is shorter than ${MIN_DASHBOARD_TOKEN_LENGTH} characters; use a random secret (e.g. openssl rand -base64 24)`);
  }
  const config: DashboardConfig = {
    port,
    host,
    token,
    ledgerDatabaseUrl: read.optional('LEDGER_DATABASE_URL') ?? DEFAULT_LEDGER_DATABASE_URL,
    responseDeadlineInMs: read.integer('RESPONSE_DEADLINE_MS', { default: DEFAULT_DASHBOARD_DEADLINE_IN_MS, min: 100, max: 2000, unit: 'ms' }),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return Object.freeze(config);
}
