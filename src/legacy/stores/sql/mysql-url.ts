import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { redactUrl } from './url.js';

/** The connection fields of a `mysql://` or `mariadb://` URL. */
export interface MysqlConnectionFields {
  host: string;
  port: number;
  user: string | undefined;
  password: string | undefined;
  database: string | undefined;
  /** TLS with certificate verification, from `?ssl=true`. */
  ssl: boolean;
}

const DEFAULT_PORT = 3306;

/**
 * The mysql2 connection options a `mysql://` or `mariadb://` URL gives (host, port, credentials, database, TLS with
 * certificate verification); each caller adds its own pool size and timeouts.
 *
 * @example
 *   mysql.createPool({ ...mysqlConnectionOptionsOf(url), connectionLimit: 4 });
 */
export function mysqlConnectionOptionsOf(url: string) {
  const fields = mysqlConnectionFieldsOf(url);
  return {
    host: fields.host,
    port: fields.port,
    ...(fields.user !== undefined && { user: fields.user }),
    ...(fields.password !== undefined && { password: fields.password }),
    ...(fields.database !== undefined && { database: fields.database }),
    ...(fields.ssl && { ssl: { rejectUnauthorized: true } }),
  };
}

/**
 * Reads `mysql://user:password@host:3306/database?ssl=true` (or `mariadb://…`). We parse the URL ourselves rather
 * than hand it to mysql2, which would take any query parameter as a driver option (`multipleStatements=true`);
 * the only parameter accepted is `ssl` (`true` or `false`).
 *
 * @example
 *   mysqlConnectionFieldsOf('mariadb://reader:pw@db:3307/legacy') // { host: 'db', port: 3307, user: 'reader', database: 'legacy', ssl: false, … }
 */
export function mysqlConnectionFieldsOf(url: string): MysqlConnectionFields {
  const shown = redactUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`The MySQL URL ${shown} cannot be parsed.`);
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') throw invalid(`The URL ${shown} is not a mysql:// or mariadb:// URL.`);
  if (parsed.hostname === '') throw invalid(`The MySQL URL ${shown} names no host.`);
  let ssl = false;
  for (const [name, value] of parsed.searchParams) {
    if (name !== 'ssl' || (value !== 'true' && value !== 'false')) {
      throw invalid(`The MySQL URL ${shown} has an unsupported option ${name}; the only option is ssl=true|false.`);
    }
    ssl = value === 'true';
  }
  try {
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    return {
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), // IPv6 literals come bracketed
      port: parsed.port === '' ? DEFAULT_PORT : Number(parsed.port),
      user: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
      password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
      database: database === '' ? undefined : database,
      ssl,
    };
  } catch {
    throw invalid(`The MySQL URL ${shown} has a malformed percent-escape.`);
  }
}

function invalid(publicMessage: string): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.URL_INVALID, publicMessage);
}
