import { FilterParser } from 'ldapts';
import type { SettingsReader } from './settings.js';

/**
 * The checks the directory's settings share, whether `serve` binds users (legacy-ldap-settings.ts) or `premigrate`
 * lists accounts (legacy-ldap-export-settings.ts). No problem they report quotes a value: it may be a password.
 */

/** DNs, filters and templates are short; a pasted file or a runaway value is a problem, not a 1 MB request. */
export const MAX_LDAP_SETTING_LENGTH = 1024;
/** Control characters (C0, DEL, C1) have no place in a DN or a filter written by hand. */
const CONTROL = /\p{Cc}/u;
/** An attribute description: a name (RFC 4512 §1.4 `descr`) or a numeric OID, without options. */
const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]{0,126}|\d+(?:\.\d+)+)$/;
/**
 * The default legacy id: entryUUID (RFC 4530), which OpenLDAP keeps for every entry and which never changes when an
 * entry is renamed or moved. Active Directory has none; set `objectGUID` there.
 */
export const DEFAULT_ID_ATTRIBUTE = 'entryUUID';

/**
 * Whether `name` can be asked for as an LDAP attribute (RFC 4512 §1.4: a name of letters, digits and hyphens, or a
 * numeric OID). `1.1` is RFC 4511's "no attributes" (§4.5.1.8), not an attribute.
 *
 * @example
 *   isAttributeName('employeeNumber') // true
 *   isAttributeName('employee number') // false
 */
export function isAttributeName(name: string): boolean {
  return ATTRIBUTE.test(name) && name !== '1.1';
}

/** At most 1,024 characters and no control characters; reports the problem on `setting` without the value. */
export function boundedText(read: SettingsReader, setting: string, value: string): boolean {
  if (value.length > MAX_LDAP_SETTING_LENGTH) read.report(setting, `is longer than ${MAX_LDAP_SETTING_LENGTH} characters`);
  else if (CONTROL.test(value)) read.report(setting, 'must not contain control characters');
  else return true;
  return false;
}

/** LEGACY_LDAP_ID_ATTRIBUTE, default entryUUID. */
export function readIdAttribute(read: SettingsReader, setting: string): string {
  const value = read.optional(setting);
  if (value === undefined) return DEFAULT_ID_ATTRIBUTE;
  if (!isAttributeName(value)) {
    read.report(setting, 'must be an attribute name such as entryUUID, objectGUID or uid (letters, digits and -), or a numeric OID');
    return DEFAULT_ID_ATTRIBUTE;
  }
  return value;
}


/**
 * Whether `filter` is an RFC 4515 filter: balanced parentheses (ldapts closes a filter missing its last ones itself,
 * and a filter written by hand that does is a typo; a literal parenthesis is escaped, `\28` and `\29`) that ldapts
 * parses.
 */
export function parsesAsFilter(filter: string): boolean {
  let depth = 0;
  for (const character of filter) {
    if (character === '(') depth += 1;
    else if (character === ')' && --depth < 0) return false;
  }
  if (depth !== 0) return false;
  try {
    FilterParser.parseString(filter);
    return true;
  } catch {
    return false;
  }
}

/**
 * Only scheme, host and port in LEGACY_LDAP_URL: an LDAP URL's DN, attributes, scope and filter parts have their
 * own settings (`baseSetting`, `filterSetting`); and StartTLS only for `ldap://`.
 */
export function checkLdapUrlShape(read: SettingsReader, url: URL, startTls: boolean, names: { url: string; startTls: string; baseSetting: string; filterSetting: string }): void {
  if (!url.hostname) read.report(names.url, 'must name a host, e.g. ldaps://ldap.example.org');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    read.report(names.url, `must be only ${url.protocol}//host[:port]; the search base and filter have their own settings (${names.baseSetting}, ${names.filterSetting})`);
  }
  if (startTls && url.protocol === 'ldaps:') {
    read.report(names.startTls, 'is for ldap:// URLs; ldaps:// is encrypted from the first byte, so leave it unset');
  }
}
