import { boundedText, checkLdapUrlShape, parsesAsFilter, readIdAttribute } from './ldap-setting-checks.js';
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
  if (url !== undefined) checkLdapUrlShape(read, url, startTls, { url: LDAP_URL, startTls: LDAP_STARTTLS, baseSetting: LDAP_SEARCH_BASE, filterSetting: LDAP_EXPORT_FILTER });
  checkFilter(read, exportFilter);
  const settings = {
    startTls,
    caFile: read.existingFile(LDAP_CA_FILE),
    bindDn: requiredText(read, LDAP_BIND_DN, 'the service account that lists the accounts, e.g. cn=migration,ou=services,dc=example,dc=org'),
    bindPassword: requiredText(read, LDAP_BIND_PASSWORD, "the service account's password"),
    searchBase: requiredText(read, LDAP_SEARCH_BASE, 'the subtree whose accounts are listed, e.g. ou=people,dc=example,dc=org'),
    exportFilter,
    idAttribute: readIdAttribute(read, LDAP_ID_ATTRIBUTE),
  };
  if (url === undefined || read.problems.length > before) return undefined;
  return Object.freeze({ ...settings, url, bindDn: settings.bindDn!, bindPassword: settings.bindPassword!, searchBase: settings.searchBase! });
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
  if (!parsesAsFilter(filter)) {
    // The parser's message quotes the filter; one line naming the setting says enough.
    read.report(LDAP_EXPORT_FILTER, 'is not a valid LDAP filter (RFC 4515), e.g. (&(objectClass=inetOrgPerson)(mail=*))');
  }
}


function requiredText(read: SettingsReader, setting: string, hint: string): string | undefined {
  const value = read.optional(setting);
  if (value === undefined) {
    read.report(setting, `is required with ${LDAP_EXPORT_FILTER}: ${hint}`);
    return undefined;
  }
  return boundedText(read, setting, value) ? value : undefined;
}



