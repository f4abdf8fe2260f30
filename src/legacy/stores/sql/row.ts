import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { legacyStatusOf } from '../../status.js';
import { profileOf, type LegacyProfile } from '../../legacy-directory.js';
import type { LegacyAccount } from '../../store.js';

/**
 * The result-column contract of a lookup query. Names match case-insensitively; other columns are ignored.
 * Only `password_hash` is required; `username` is the account name the formats salted with it need (MS Cache,
 * Oracle 10g, Cisco PIX/ASA, PostgreSQL md5).
 */
export const RESULT_COLUMNS = ['password_hash', 'id', 'status', 'scheme', 'salt', 'username'] as const;

/** Optional profile columns a lookup query may also return, read for sign-up (prefill and link): never required. */
export const PROFILE_COLUMNS = ['display_name', 'given_name', 'surname'] as const;

type ResultColumn = (typeof RESULT_COLUMNS)[number] | (typeof PROFILE_COLUMNS)[number];
type Row = Readonly<Record<string, unknown>>;

const CONTRACT: ReadonlySet<string> = new Set([...RESULT_COLUMNS, ...PROFILE_COLUMNS]);

/** An account as a SQL store returns it: the contract columns, and the profile when the query returns a profile column. */
export interface SqlLegacyAccount extends LegacyAccount {
  readonly profile?: LegacyProfile;
}
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Checks the column names a query returns, before (or without) looking at any row: `password_hash` must be there,
 * and no contract column may appear twice (drivers would keep one of them silently).
 *
 * @example
 *   checkResultColumns(['id', 'password_hash']) // ok
 *   checkResultColumns(['id', 'hash'])          // throws LEGACY_QUERY_INVALID
 */
export function checkResultColumns(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names.map((column) => column.toLowerCase())) {
    if (!CONTRACT.has(name)) continue;
    if (seen.has(name)) throw queryInvalid(`The legacy lookup query returns the column ${name} more than once.`);
    seen.add(name);
  }
  if (!seen.has('password_hash')) {
    throw queryInvalid(
      `The legacy lookup query returns no password_hash column (it returns: ${names.join(', ') || 'nothing'}); alias it, e.g. SELECT pwd AS password_hash.`,
    );
  }
}

/**
 * The account in a lookup result: none → null, one → the account, several → `LEGACY_ROW_INVALID`, because
 * picking one of several accounts could check the password against the wrong person.
 *
 * @example
 *   accountFromRows([{ id: 7n, password_hash: '$2b$10$…', status: null }]) // { id: '7', status: 'active', … }
 */
export function accountFromRows(rows: readonly Row[]): SqlLegacyAccount | null {
  if (rows.length === 0) return null;
  if (rows.length > 1) {
    throw new LegacyStoreError(
      LegacyStoreErrorCode.ROW_INVALID,
      'The legacy lookup matched more than one account; the query must identify at most one.',
    );
  }
  return accountFromRow(rows[0]!);
}

/**
 * One row → a {@link LegacyAccount}. Text columns accept strings, numbers and bigints (as decimal text) and
 * binary values that are valid UTF-8; anything else, or binary that is not UTF-8 (encode it in the query:
 * `hex(salt) AS salt`), is `LEGACY_ROW_INVALID`. `password_hash` must be non-empty; it is never trimmed.
 */
export function accountFromRow(row: Row): SqlLegacyAccount {
  const columns = contractColumnsOf(row);
  const passwordHash = textOf(columns, 'password_hash');
  if (passwordHash === null || passwordHash.trim() === '') {
    throw new LegacyStoreError(LegacyStoreErrorCode.ROW_INVALID, 'The legacy account has no password_hash.');
  }
  const rawStatus = textOf(columns, 'status');
  return {
    id: textOf(columns, 'id'),
    passwordHash,
    status: legacyStatusOf(rawStatus),
    rawStatus,
    scheme: textOf(columns, 'scheme'),
    salt: textOf(columns, 'salt'),
    ...(columns.has('username') && { username: textOf(columns, 'username') }),
    ...(PROFILE_COLUMNS.some((column) => columns.has(column)) && {
      profile: profileOf({
        displayName: optionalTextOf(columns, 'display_name'),
        givenName: optionalTextOf(columns, 'given_name'),
        surname: optionalTextOf(columns, 'surname'),
      }),
    }),
  };
}

/** A profile column's text, or undefined when it is missing or not text (a profile value is never an error). */
function optionalTextOf(columns: ReadonlyMap<ResultColumn, unknown>, column: ResultColumn): string | undefined {
  try {
    return textOf(columns, column) ?? undefined;
  } catch {
    return undefined;
  }
}

function contractColumnsOf(row: Row): Map<ResultColumn, unknown> {
  const columns = new Map<ResultColumn, unknown>();
  for (const [name, value] of Object.entries(row)) {
    const lower = name.toLowerCase();
    if (CONTRACT.has(lower)) columns.set(lower as ResultColumn, value);
  }
  return columns;
}

function textOf(columns: ReadonlyMap<ResultColumn, unknown>, column: ResultColumn): string | null {
  const value = columns.get(column);
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (value instanceof Uint8Array) {
    try {
      return utf8.decode(value);
    } catch {
      throw rowInvalid(`The legacy column ${column} holds binary data that is not UTF-8 text; encode it in the query, e.g. hex(${column}) AS ${column}.`);
    }
  }
  const kind = value instanceof Date ? 'date' : typeof value;
  throw rowInvalid(`The legacy column ${column} holds a ${kind}; the query must return text or a number.`);
}

function queryInvalid(publicMessage: string): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.QUERY_INVALID, publicMessage);
}

function rowInvalid(publicMessage: string): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.ROW_INVALID, publicMessage);
}
