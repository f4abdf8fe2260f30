import { ConfigError, DEFAULT_LEDGER_DATABASE_URL, loadServeConfig, type ConfigProblem, type RawSettings, type ServeConfig } from '../config/index.js';
import { parseLedgerUrl } from '../ledger/ledger-url.js';

/**
 * The `serve` settings, read from the same environment variables (a Function App's application settings), with one
 * rule more: the ledger must be PostgreSQL. A Function App runs on as many instances as the load asks for and
 * replaces them at will; a SQLite file would be one ledger per instance (or one on a network share SQLite cannot
 * lock), and `memory:` keeps nothing. Every problem is reported together, as `serve` reports its own.
 *
 * @example
 *   const config = loadFunctionsConfig(process.env); // throws ConfigError naming each setting to fix
 */
export function loadFunctionsConfig(env: RawSettings): ServeConfig {
  const problems: ConfigProblem[] = [];
  let config: ServeConfig | undefined;
  try {
    config = loadServeConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const ledgerProblem = sharedLedgerProblem(env['LEDGER_DATABASE_URL']?.trim() || DEFAULT_LEDGER_DATABASE_URL);
  if (ledgerProblem && !problems.some(({ setting }) => setting === 'LEDGER_DATABASE_URL')) problems.push(ledgerProblem);
  if (problems.length > 0 || config === undefined) throw new ConfigError(problems);
  return config;
}

function sharedLedgerProblem(url: string): ConfigProblem | undefined {
  let kind: string;
  try {
    kind = parseLedgerUrl(url).kind;
  } catch {
    return undefined; // loadServeConfig or openLedger names what is wrong with it
  }
  if (kind === 'postgres') return undefined;
  return {
    setting: 'LEDGER_DATABASE_URL',
    problem: `is ${kind === 'memory' ? 'memory:, which keeps nothing' : 'a SQLite file, one per instance'}; on Azure Functions set it to the PostgreSQL ledger every instance shares (postgres://user@server.postgres.database.azure.com/db?sslmode=require)`,
  };
}
