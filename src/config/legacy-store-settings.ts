import { allowsInsecureTransport } from './transport.js';
import type { SettingsReader } from './settings.js';

/** The SQL store: a table of password hashes (LEGACY_DATABASE_URL, LEGACY_USER_QUERY). */
export interface SqlStoreSettings {
  readonly kind: 'sql';
  readonly url: string;
  readonly userQuery: string;
}

/** The settings that each select one kind of legacy store; exactly one is set. */
export const LEGACY_STORE_SELECTORS = ['LEGACY_DATABASE_URL', 'LEGACY_VERIFY_URL', 'LEGACY_LDAP_URL', 'LEGACY_ROPC_TOKEN_URL'] as const;

export type LegacyStoreSelector = (typeof LEGACY_STORE_SELECTORS)[number];

/**
 * Reads each kind's settings once its selector is known: `readers[selector](read, allowInsecure)`. The kinds live in
 * their own modules; this one only decides which applies.
 */
export type LegacyStoreReaders<T> = { readonly [S in LegacyStoreSelector]: (read: SettingsReader, allowInsecure: boolean) => T };

/**
 * Which legacy store `serve` asks, from the one selecting setting that is set. None, or several, is one problem
 * that names all four (none) or the ones set (several): a deployment that sets two would otherwise check passwords
 * against whichever we happened to prefer.
 *
 * @example
 *   const legacy = readLegacyStore(read, { LEGACY_DATABASE_URL: readSqlStore, LEGACY_VERIFY_URL: readWebServiceSettings, … });
 */
export function readLegacyStore<T>(read: SettingsReader, readers: LegacyStoreReaders<T>): T | undefined {
  const set = LEGACY_STORE_SELECTORS.filter((selector) => read.optional(selector) !== undefined);
  if (set.length === 0) {
    read.report(
      'LEGACY_DATABASE_URL',
      `or one of ${LEGACY_STORE_SELECTORS.slice(1).join(', ')} is required: the legacy system that checks passwords ` +
        '(a SQL table of hashes, a web service, a directory, or an OpenID provider\'s password grant)',
    );
    return undefined;
  }
  if (set.length > 1) {
    read.report(set[0]!, `and ${set.slice(1).join(' and ')} are all set; set exactly one of them: each selects a different legacy store`);
    return undefined;
  }
  return readers[set[0]!](read, allowsInsecureTransport(read));
}

const SQL_URL_SCHEMES = ['sqlite:', 'postgres:', 'postgresql:', 'mysql:', 'mariadb:'];

/** LEGACY_DATABASE_URL and LEGACY_USER_QUERY. Database connections carry no passwords typed by users, so any host. */
export function readSqlStoreSettings(read: SettingsReader): SqlStoreSettings {
  const url = read.required('LEGACY_DATABASE_URL', 'where legacy credentials live, e.g. postgres://user@host/db or sqlite://./legacy.db');
  if (url && !SQL_URL_SCHEMES.some((scheme) => url.startsWith(scheme))) {
    read.report('LEGACY_DATABASE_URL', `must start with one of ${SQL_URL_SCHEMES.join(' ')}`);
  }
  const userQuery = read.required('LEGACY_USER_QUERY', 'SQL returning password_hash for :username, :email or :objectId');
  if (userQuery && !/:(username|email|objectId)\b/.test(userQuery)) {
    read.report('LEGACY_USER_QUERY', 'must use at least one of the parameters :username, :email, :objectId');
  }
  return Object.freeze({ kind: 'sql', url, userQuery });
}
