import type { HashDefaults } from '../hash-store-authority.js';

/**
 * `serve`'s lookup over an imported table: the sign-in name against the e-mail or the username, case-blind (SQLite's
 * `lower()` folds ASCII letters; both sides fold alike), answering the columns the SQL store reads. Each side is an
 * index search (SQLite's multi-index OR over `legacy_users_lower_email` and `legacy_users_lower_username`).
 */
export const LEGACY_USER_QUERY =
  'SELECT id, password_hash, status, scheme, salt FROM legacy_users WHERE lower(email) = lower(:username) OR lower(username) = lower(:username)';

/**
 * `premigrate`'s export: premigrate's field names (id, email, display_name, given_name, surname) from the table and
 * its profile_json. Accounts without an e-mail are left out: Entra External ID signs in by e-mail address.
 */
export const LEGACY_EXPORT_QUERY =
  "SELECT id, email, json_extract(profile_json, '$.display_name') AS display_name, json_extract(profile_json, '$.given_name') AS given_name, json_extract(profile_json, '$.surname') AS surname FROM legacy_users WHERE email IS NOT NULL";

/**
 * The settings `serve` and `premigrate` read the imported table with, unchanged: LEGACY_DATABASE_URL (the `--out`
 * URL as given), LEGACY_USER_QUERY, LEGACY_EXPORT_QUERY and, when the format has store-wide hash parameters
 * (Firebase's signer key …), LEGACY_HASH_SCHEME and LEGACY_HASH_PARAMS.
 *
 * @example
 *   legacyEnvLines('sqlite://./legacy.db') // [['LEGACY_DATABASE_URL', 'sqlite://./legacy.db'], ['LEGACY_USER_QUERY', 'SELECT …'], ['LEGACY_EXPORT_QUERY', 'SELECT …']]
 */
export function legacyEnvLines(databaseUrl: string, hashDefaults?: HashDefaults): Array<[string, string]> {
  const lines: Array<[string, string]> = [
    ['LEGACY_DATABASE_URL', databaseUrl],
    ['LEGACY_USER_QUERY', LEGACY_USER_QUERY],
    ['LEGACY_EXPORT_QUERY', LEGACY_EXPORT_QUERY],
  ];
  if (hashDefaults?.scheme !== undefined) lines.push(['LEGACY_HASH_SCHEME', hashDefaults.scheme]);
  if (hashDefaults !== undefined && Object.keys(hashDefaults.params).length > 0) lines.push(['LEGACY_HASH_PARAMS', JSON.stringify(hashDefaults.params)]);
  return lines;
}
