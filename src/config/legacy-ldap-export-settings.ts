import { existsSync } from 'node:fs';
import { FilterParser } from 'ldapts';
import {
  LDAP_BIND_DN,
  LDAP_BIND_PASSWORD,
  LDAP_CA_FILE,
  LDAP_ID_ATTRIBUTE,
  LDAP_SEARCH_BASE,
  LDAP_STARTTLS,
  LDAP_URL,
  USERNAME_PLACEHOLDER,
} from './legacy-ldap-settings.js';
import type { SettingsReader } from './settings.js';
import { legacyUrl } from './transport.js';

/** The validated settings with which `premigrate` lists a directory's accounts (a paged search as the service account). */
export interface LdapExportSettings {
  /** LEGACY_LDAP_URL: `ldaps://host[:port]`, or `ldap://` with StartTLS (or on loopback, or when allowed out loud). */
  readonly url: URL;
  /** LEGACY_LDAP_STARTTLS. */
  readonly startTls: boolean;
  /** LEGACY_LDAP_CA_FILE (PEM), trusted instead of the system's CAs. */
  readonly caFile: string | undefined;
  /** LEGACY_LDAP_BIND_DN: the service account that lists the entries. */
  readonly bindDn: string;
  /** LEGACY_LDAP_BIND_PASSWORD. A secret: never logged, never in an error. */
  readonly bindPassword: string;
  /** LEGACY_LDAP_SEARCH_BASE: the subtree listed. */
  readonly searchBase: string;
  /** LEGACY_LDAP_EXPORT_FILTER: an RFC 4515 filter selecting the accounts, without `{username}`. */
  readonly exportFilter: string;
  /** LEGACY_LDAP_ID_ATTRIBUTE: the legacy id (default `entryUUID`; `objectGUID` for AD, as a GUID string). */
  readonly idAttribute: string;
}

export const LDAP_EXPORT_FILTER = 'LEGACY_LDAP_EXPORT_FILTER';

/** As serve's directory settings: entryUUID (RFC 4530), which never changes when an entry is renamed or moved. */
const DEFAULT_ID_ATTRIBUTE = 'entryUUID';
/** DNs and filters are short; a pasted file or a runaway value is a problem, not a 1 MB request (as for serve). */
const MAX_LENGTH = 1024;
/** Control characters (C0, DEL, C1) have no place in a DN or a filter written by hand. */
const CONTROL = /\p{Cc}/u;
/** An attribute description (RFC 4512 §1.4 `descr`, or a numeric OID), without options. */
const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]{0,126}|\d+(?:\.\d+)+)$/;

/**
 * Whether `name` can be asked for as an LDAP attribute (RFC 4512 §1.4: a name of letters, digits and hyphens, or a
 * numeric OID), so a `--field` or `--attribute` column can be read from a directory.
 *
 * @example
 *   isAttributeName('employeeNumber') // true
 *   isAttributeName('employee number') // false
 */
export function isAttributeName(name: string): boolean {
  return ATTRIBUTE.test(name) && name !== '1.1';
}

/**
 * Reads the settings with which `premigrate` lists a directory's accounts: LEGACY_LDAP_URL, LEGACY_LDAP_STARTTLS,
 * LEGACY_LDAP_CA_FILE (must exist now; its content is checked when the export opens), LEGACY_LDAP_BIND_DN,
 * LEGACY_LDAP_BIND_PASSWORD, LEGACY_LDAP_SEARCH_BASE, LEGACY_LDAP_EXPORT_FILTER and LEGACY_LDAP_ID_ATTRIBUTE, with
 * `serve`'s transport rule. Returns null when LEGACY_LDAP_EXPORT_FILTER is unset (the directory is not the source:
 * none of the others is read), undefined when any has a problem (each reported on `read`, never quoting the
 * password). `serve`'s LEGACY_LDAP_SEARCH_FILTER or LEGACY_LDAP_USER_DN_TEMPLATE are not needed here.
 *
 * @example
 *   const read = new SettingsReader(process.env);
 *   const directory = readLdapExportSettings(read, allowsInsecureTransport(read));
 */
export function readLdapExportSettings(read: SettingsReader, allowInsecure: boolean): LdapExportSettings | null | undefined {
  const exportFilter = read.optional(LDAP_EXPORT_FILTER);
  if (exportFilter === undefined) return null;
  const before = read.problems.length;
  const startTls = read.oneOf(LDAP_STARTTLS, ['true', 'false'] as const, 'false') === 'true';
  if (read.optional(LDAP_URL) === undefined) read.report(LDAP_URL, `is required with ${LDAP_EXPORT_FILTER}: the directory to list accounts from, e.g. ldaps://ldap.example.org`);
  const url = legacyUrl(read, LDAP_URL, { secure: ['ldaps:'], clear: ['ldap:'], clearMadeSecure: startTls }, allowInsecure);
  if (url !== undefined) checkUrlShape(read, url, startTls);
  checkFilter(read, exportFilter);
  const settings = {
    startTls,
    caFile: existingFile(read, LDAP_CA_FILE),
    bindDn: requiredText(read, LDAP_BIND_DN, 'the service account that lists the accounts, e.g. cn=migration,ou=services,dc=example,dc=org'),
    bindPassword: requiredText(read, LDAP_BIND_PASSWORD, "the service account's password"),
    searchBase: requiredText(read, LDAP_SEARCH_BASE, 'the subtree whose accounts are listed, e.g. ou=people,dc=example,dc=org'),
    exportFilter,
    idAttribute: readIdAttribute(read),
  };
  if (url === undefined || read.problems.length > before) return undefined;
  return Object.freeze({ ...settings, url, bindDn: settings.bindDn!, bindPassword: settings.bindPassword!, searchBase: settings.searchBase! });
}

/** Only scheme, host and port, as for serve: the base and the filter have their own settings. */
function checkUrlShape(read: SettingsReader, url: URL, startTls: boolean): void {
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    read.report(LDAP_URL, `must be only ${url.protocol}//host[:port]; the base and the filter have their own settings (${LDAP_SEARCH_BASE}, ${LDAP_EXPORT_FILTER})`);
  }
  if (startTls && url.protocol === 'ldaps:') read.report(LDAP_STARTTLS, 'is for ldap:// URLs; ldaps:// is encrypted from the first byte, so leave it unset');
}

/** A filter in parentheses that parses as RFC 4515 and lists accounts: it names no one, so no `{username}`. */
function checkFilter(read: SettingsReader, filter: string): void {
  if (!boundedText(read, LDAP_EXPORT_FILTER, filter)) return;
  if (filter.includes(USERNAME_PLACEHOLDER)) {
    read.report(LDAP_EXPORT_FILTER, `selects every account to create, so it takes no ${USERNAME_PLACEHOLDER} (that is LEGACY_LDAP_SEARCH_FILTER's); e.g. (objectClass=inetOrgPerson)`);
    return;
  }
  if (!filter.startsWith('(') || !filter.endsWith(')')) {
    read.report(LDAP_EXPORT_FILTER, 'must be a filter in parentheses, e.g. (objectClass=inetOrgPerson)');
    return;
  }
  try {
    // ldapts closes a filter missing its last parentheses itself; a filter written by hand that does is a typo.
    if (!balanced(filter)) throw new Error('unbalanced');
    FilterParser.parseString(filter);
  } catch {
    // The parser's message quotes the filter; one line naming the setting says enough.
    read.report(LDAP_EXPORT_FILTER, 'is not a valid LDAP filter (RFC 4515), e.g. (&(objectClass=inetOrgPerson)(mail=*))');
  }
}

/** Whether every parenthesis closes one opened before it: in RFC 4515 a literal one is escaped (`\28`, `\29`). */
function balanced(filter: string): boolean {
  let depth = 0;
  for (const character of filter) {
    if (character === '(') depth += 1;
    else if (character === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

function requiredText(read: SettingsReader, setting: string, hint: string): string | undefined {
  const value = read.optional(setting);
  if (value === undefined) {
    read.report(setting, `is required with ${LDAP_EXPORT_FILTER}: ${hint}`);
    return undefined;
  }
  return boundedText(read, setting, value) ? value : undefined;
}

/** Length and control characters; the problem never quotes the value (it may be the password). */
function boundedText(read: SettingsReader, setting: string, value: string): boolean {
  if (value.length > MAX_LENGTH) read.report(setting, `is longer than ${MAX_LENGTH} characters`);
  else if (CONTROL.test(value)) read.report(setting, 'must not contain control characters');
  else return true;
  return false;
}

function readIdAttribute(read: SettingsReader): string {
  const value = read.optional(LDAP_ID_ATTRIBUTE);
  if (value === undefined) return DEFAULT_ID_ATTRIBUTE;
  if (!isAttributeName(value)) {
    read.report(LDAP_ID_ATTRIBUTE, 'must be an attribute name such as entryUUID, objectGUID or uid (letters, digits and -), or a numeric OID');
    return DEFAULT_ID_ATTRIBUTE;
  }
  return value;
}

/** A setting naming a file that must exist; the path is shown (a path is not a secret), its content never. */
function existingFile(read: SettingsReader, setting: string): string | undefined {
  const path = read.optional(setting);
  if (path === undefined) return undefined;
  if (!existsSync(path)) {
    read.report(setting, `names a file that does not exist: ${path.slice(0, 200)}`);
    return undefined;
  }
  return path;
}
