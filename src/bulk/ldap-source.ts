import type { Entry } from 'ldapts';
import type { LdapExportSettings } from '../config/legacy-ldap-export-settings.js';
import { DEFAULT_FIELD_MAP } from './legacy-record.js';
import type { SourceRow } from './sources.js';

/** Options of {@link readLdapSource}. */
export interface LdapSourceOptions {
  /** LEGACY_LDAP_*: the directory, the service account, the base, the export filter and the id attribute. */
  readonly settings: LdapExportSettings;
  /**
   * Also read each account's phone (`mobile`, else `telephoneNumber`). Only `--phone-method` uses it, and a number
   * that is not international (`+1 2065550100`) fails the account, so it is read only when asked for.
   */
  readonly phone?: boolean;
  /** Other attributes copied into each row under their own name, for `--field` and `--attribute`. */
  readonly extraAttributes?: readonly string[];
  /** Entries per page; default 500. */
  readonly pageSize?: number;
  /** Stops the listing at once and closes its connection. */
  readonly abortSignal?: AbortSignal;
}

/**
 * Where each row field comes from: the first of its attributes the entry holds, first value (LDAP attributes may
 * hold several). `userPrincipalName` stands in for a missing `mail` (Active Directory); `cn` for `displayName`.
 */
const ROW_ATTRIBUTES: readonly (readonly [field: string, attributes: readonly string[]])[] = [
  [DEFAULT_FIELD_MAP.email, ['mail', 'userPrincipalName']],
  [DEFAULT_FIELD_MAP.displayName, ['displayName', 'cn']],
  [DEFAULT_FIELD_MAP.givenName, ['givenName']],
  [DEFAULT_FIELD_MAP.surname, ['sn']],
];
/** The phone method is a mobile phone method: `mobile` first, the office number only when there is none. */
const PHONE_ATTRIBUTES: readonly [field: string, attributes: readonly string[]] = [DEFAULT_FIELD_MAP.phone, ['mobile', 'telephoneNumber']];
/**
 * Where a directory says an account is blocked, read into the row's `enabled` (false) so that premigrate creates
 * it disabled and `--sync` disables it:
 * - Active Directory: `userAccountControl` with bit 2 (ACCOUNTDISABLE,
 *   https://learn.microsoft.com/troubleshoot/windows-server/active-directory/useraccountcontrol-manipulate-account-properties);
 * - 389 Directory Server / Red Hat IdM: `nsAccountLock: TRUE`;
 * - OpenLDAP's password policy: `pwdAccountLockedTime: 000001010000Z`, the administrative lock (draft-behera-ldap-password-policy
 *   §5.3.3). Any other time is a lockout after failed passwords that ends by itself: not a blocked account.
 * An entry without them is enabled. nsAccountLock and pwdAccountLockedTime are operational: all three are asked for by name.
 */
const LOCK_ATTRIBUTES = ['userAccountControl', 'nsAccountLock', 'pwdAccountLockedTime'] as const;
const ACCOUNTDISABLE = 0x2;
const PERMANENT_LOCK = '000001010000Z';

/** Longest attribute value taken into a row, in characters: far above any Graph user property, far below a blob. */
const MAX_VALUE_LENGTH = 1024;

/**
 * Streams a directory's accounts as source rows: the entries under LEGACY_LDAP_SEARCH_BASE matching
 * LEGACY_LDAP_EXPORT_FILTER, listed with a paged search as the service account (see `exportEntries`), one page in
 * memory. Each row carries the entry's ordinal in the listing (1-based) as its `line`, and the fields
 * `legacy-record.ts` maps: `id` (LEGACY_LDAP_ID_ATTRIBUTE; an `objectGUID` as its GUID string), `email` (`mail`,
 * else `userPrincipalName`), `display_name` (`displayName`, else `cn`), `given_name` (`givenName`), `surname`
 * (`sn`), `enabled` (false for a blocked account: {@link LOCK_ATTRIBUTES}) and, when asked, `phone`. Never `password`: a directory's `userPassword` is a hash, checked by `serve`.
 * An entry with a value over 1,024 characters becomes a row that says which attribute, never what it holds.
 *
 * @example
 *   for await (const { line, row } of readLdapSource({ settings: config.legacyDirectory })) …
 */
export async function* readLdapSource(options: LdapSourceOptions): AsyncGenerator<SourceRow> {
  // Loaded here, not at the top: a run from a file or SQL never loads the directory client.
  const { exportEntries, entryAttributes, readUserEntry } = await import('../legacy/stores/ldap/index.js');
  const { idAttribute } = options.settings;
  const fields = options.phone ? [...ROW_ATTRIBUTES, PHONE_ATTRIBUTES] : ROW_ATTRIBUTES;
  const extras = [...new Set(options.extraAttributes ?? [])];
  const identity = entryAttributes(idAttribute);
  const attributes = uniqueNames([...identity.attributes, ...fields.flatMap(([, names]) => names), ...LOCK_ATTRIBUTES, ...extras]);
  let line = 0;
  const entries = exportEntries(options.settings, {
    attributes,
    explicitBufferAttributes: identity.explicitBufferAttributes,
    ...(options.pageSize !== undefined && { pageSize: options.pageSize }),
    ...(options.abortSignal && { abortSignal: options.abortSignal }),
  });
  for await (const entry of entries) {
    line += 1;
    const row: Record<string, unknown> = { [DEFAULT_FIELD_MAP.id]: readUserEntry(entry, idAttribute, Date.now()).legacyId };
    let tooLong: string | undefined;
    const take = (field: string, names: readonly string[]) => {
      const found = firstValue(entry, names);
      if (found && found.value.length > MAX_VALUE_LENGTH) tooLong ??= found.attribute;
      else if (found && !(field in row)) row[field] = found.value;
    };
    for (const [field, names] of fields) take(field, names);
    if (isLocked(entry)) row[DEFAULT_FIELD_MAP.enabled] = 'false';
    for (const name of extras) take(name, [name]);
    yield tooLong === undefined ? { line, row } : { line, row: null, error: `${tooLong} longer than ${MAX_VALUE_LENGTH} characters` };
  }
}

/**
 * The number of accounts {@link readLdapSource} would list (a paged search reading no attributes), for the
 * progress bar's total and ETA.
 *
 * @example
 *   const total = await countLdapSource(config.legacyDirectory);
 */
export async function countLdapSource(settings: LdapExportSettings): Promise<number> {
  const { countEntries } = await import('../legacy/stores/ldap/index.js');
  return countEntries(settings);
}

/** The first value of the first of `names` the entry holds (names matched without regard to case, as LDAP does). */
function firstValue(entry: Entry, names: readonly string[]): { attribute: string; value: string } | undefined {
  for (const attribute of names) {
    const key = Object.keys(entry).find((name) => name !== 'dn' && name.toLowerCase() === attribute.toLowerCase());
    const raw = key === undefined ? undefined : entry[key];
    const first = Array.isArray(raw) ? raw[0] : raw;
    const value = typeof first === 'string' ? first : first?.toString('utf8');
    if (value !== undefined && value.trim() !== '') return { attribute, value };
  }
  return undefined;
}

/** Whether the entry is blocked by one of {@link LOCK_ATTRIBUTES} (exported for its test). */
export function isLocked(entry: Entry): boolean {
  const control = firstValue(entry, ['userAccountControl'])?.value;
  if (control !== undefined && /^\d{1,10}$/.test(control.trim()) && (Number(control.trim()) & ACCOUNTDISABLE) !== 0) return true;
  if (firstValue(entry, ['nsAccountLock'])?.value.trim().toLowerCase() === 'true') return true;
  return firstValue(entry, ['pwdAccountLockedTime'])?.value.trim() === PERMANENT_LOCK;
}

/** Attribute names once each, whatever their case. */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.filter((name) => !seen.has(name.toLowerCase()) && seen.add(name.toLowerCase()));
}
