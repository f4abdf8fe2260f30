import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import type { LegacyStore } from '../../store.js';
import type { SqlDialect } from './dialect-syntax.js';
import { createMysqlLegacyStore } from './mysql-store.js';
import { compileNamedQuery } from './named-parameters.js';
import { resolveTuning, type SqlDriverSettings, type SqlLegacyStoreOptions } from './options.js';
import { createPostgresLegacyStore } from './postgres-store.js';
import { openSqliteLegacyStore } from './sqlite-store.js';
import { redactUrl, schemeOf } from './url.js';

interface SqlDriver {
  dialect: SqlDialect;
  open(settings: SqlDriverSettings): LegacyStore;
}

const SQLITE: SqlDriver = { dialect: 'sqlite', open: openSqliteLegacyStore };
const POSTGRES: SqlDriver = { dialect: 'postgres', open: createPostgresLegacyStore };
const MYSQL: SqlDriver = { dialect: 'mysql', open: createMysqlLegacyStore };

/** URL scheme → driver. A Map, so a scheme such as `constructor:` finds nothing. */
const DRIVERS: ReadonlyMap<string, SqlDriver> = new Map([
  ['sqlite', SQLITE],
  ['postgres', POSTGRES],
  ['postgresql', POSTGRES],
  ['mysql', MYSQL],
  ['mariadb', MYSQL],
]);

/** The SQL dialect of a legacy database URL (`sqlite:`, `postgres:`/`postgresql:`, `mysql:`/`mariadb:`), or undefined. */
export function sqlDialectOf(url: string): SqlDialect | undefined {
  const scheme = schemeOf(url);
  return scheme === null ? undefined : DRIVERS.get(scheme)?.dialect;
}

/**
 * Opens the SQL legacy store a URL names, after checking everything that can be checked without a server:
 * the URL, the settings' ranges and the query (compiled for the URL's dialect). SQLite also prepares the query
 * against the file; PostgreSQL and MySQL connect on first use, so call `ping()` to check the server at start-up.
 *
 * @example
 *   const store = await openSqlLegacyStore({
 *     url: 'postgres://reader@db.internal/legacy',
 *     query: 'SELECT id, pwd AS password_hash, state AS status FROM users WHERE lower(login) = lower(:username)',
 *   });
 *   const account = await store.findAccount({ username: 'ada@example.com', email: null, objectId: '…' });
 */
export async function openSqlLegacyStore(options: SqlLegacyStoreOptions): Promise<LegacyStore> {
  const scheme = schemeOf(options.url);
  const driver = scheme === null ? undefined : DRIVERS.get(scheme);
  if (driver === undefined) {
    throw new LegacyStoreError(
      LegacyStoreErrorCode.URL_INVALID,
      `The legacy store URL ${redactUrl(options.url)} has an unsupported scheme; use sqlite:, postgres:, postgresql:, mysql: or mariadb:.`,
    );
  }
  const tuning = resolveTuning(options);
  const query = compileNamedQuery(options.query, driver.dialect);
  return driver.open({ url: options.url, query, ...tuning });
}
