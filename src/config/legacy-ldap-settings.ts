import { boundedText, checkLdapUrlShape, parsesAsFilter, readIdAttribute } from './ldap-setting-checks.js';
import type { SettingsReader } from './settings.js';
import { legacyUrl } from './transport.js';

/**
 * How a sign-in name becomes a directory entry:
 * - `search`: the service account searches LEGACY_LDAP_SEARCH_BASE with LEGACY_LDAP_SEARCH_FILTER, then we bind
 *   as the one entry found (OpenLDAP, Active Directory with a UPN, mail or sAMAccountName filter).
 * - `template`: we bind at once as LEGACY_LDAP_USER_DN_TEMPLATE with the name put in (a directory whose DNs are
 *   built from the sign-in name, `uid={username},ou=people,…`). No service account; nothing can be read before the
 *   bind, so an OpenLDAP lock shows only when slapd sends it in the password policy control.
 */
export type LdapLookup =
  | {
      readonly kind: 'search';
      /** LEGACY_LDAP_BIND_DN: the service account (a DN, or for Active Directory a UPN such as svc@corp.example.com). */
      readonly bindDn: string;
      /** LEGACY_LDAP_BIND_PASSWORD. A secret: never logged, never in an error. */
      readonly bindPassword: string;
      /** LEGACY_LDAP_SEARCH_BASE: the subtree searched. */
      readonly searchBase: string;
      /** LEGACY_LDAP_SEARCH_FILTER: an RFC 4515 filter with `{username}` where the escaped sign-in name goes. */
      readonly searchFilter: string;
    }
  | {
      readonly kind: 'template';
      /** LEGACY_LDAP_USER_DN_TEMPLATE: a DN with `{username}` as one attribute value, escaped per RFC 4514. */
      readonly userDnTemplate: string;
    };

/** The validated LEGACY_LDAP_* settings of the directory legacy store. */
export interface LdapSettings {
  /** LEGACY_LDAP_URL: `ldaps://host[:port]`, or `ldap://` with StartTLS (or on loopback, or when allowed out loud). */
  readonly url: URL;
  /** LEGACY_LDAP_STARTTLS: upgrade an `ldap://` connection with StartTLS before anything is sent. */
  readonly startTls: boolean;
  /** LEGACY_LDAP_CA_FILE (PEM): trusted instead of the system's CAs, for a directory with a private CA. */
  readonly caFile: string | undefined;
  readonly lookup: LdapLookup;
  /** LEGACY_LDAP_ID_ATTRIBUTE: the attribute read as the legacy id (default `entryUUID`; `objectGUID` for AD). */
  readonly idAttribute: string;
}

export const LDAP_URL = 'LEGACY_LDAP_URL';
export const LDAP_STARTTLS = 'LEGACY_LDAP_STARTTLS';
export const LDAP_CA_FILE = 'LEGACY_LDAP_CA_FILE';
export const LDAP_BIND_DN = 'LEGACY_LDAP_BIND_DN';
export const LDAP_BIND_PASSWORD = 'LEGACY_LDAP_BIND_PASSWORD';
export const LDAP_SEARCH_BASE = 'LEGACY_LDAP_SEARCH_BASE';
export const LDAP_SEARCH_FILTER = 'LEGACY_LDAP_SEARCH_FILTER';
export const LDAP_USER_DN_TEMPLATE = 'LEGACY_LDAP_USER_DN_TEMPLATE';
export const LDAP_ID_ATTRIBUTE = 'LEGACY_LDAP_ID_ATTRIBUTE';

/** The placeholder the sign-in name replaces, in the filter and the DN template. */
export const USERNAME_PLACEHOLDER = '{username}';

/** `{username}` as one whole attribute value of the template: after `=`, before `,`, `+` or the end. */
const TEMPLATE_VALUE = /=\{username\}(?=$|[,+])/g;

const LDAP_SCHEMES = { secure: ['ldaps:'], clear: ['ldap:'] } as const;

/**
 * Reads the LEGACY_LDAP_* settings of the directory legacy store. Call it when LEGACY_LDAP_URL selects the store;
 * returns undefined when LEGACY_LDAP_URL is unset or any of these settings has a problem (each reported on `read`,
 * for the caller to throw together). Problems never quote LEGACY_LDAP_BIND_PASSWORD. LEGACY_LDAP_CA_FILE must exist
 * now; the store reads and checks its content when it opens.
 *
 * There is no setting for the kind of directory: Active Directory is recognised by what it answers (the `data 52e`
 * code inside a result 49, a `userAccountControl` attribute, `objectGUID` as the id attribute).
 *
 * @example
 *   const read = new SettingsReader(process.env);
 *   const settings = readLdapSettings(read, allowsInsecureTransport(read));
 *   if (read.problems.length > 0) throw new ConfigError(read.problems);
 */
export function readLdapSettings(read: SettingsReader, allowInsecure: boolean): LdapSettings | undefined {
  const before = read.problems.length;
  const startTls = read.oneOf(LDAP_STARTTLS, ['true', 'false'] as const, 'false') === 'true';
  const url = legacyUrl(read, LDAP_URL, { ...LDAP_SCHEMES, clearMadeSecure: startTls }, allowInsecure);
  if (url !== undefined) checkLdapUrlShape(read, url, startTls, { url: LDAP_URL, startTls: LDAP_STARTTLS, baseSetting: LDAP_SEARCH_BASE, filterSetting: LDAP_SEARCH_FILTER });
  const settings = {
    startTls,
    caFile: read.existingFile(LDAP_CA_FILE),
    lookup: readLookup(read),
    idAttribute: readIdAttribute(read, LDAP_ID_ATTRIBUTE),
  };
  if (url === undefined || settings.lookup === undefined || read.problems.length > before) return undefined;
  return Object.freeze({ ...settings, url, lookup: Object.freeze(settings.lookup) });
}


function readLookup(read: SettingsReader): LdapLookup | undefined {
  const filter = read.optional(LDAP_SEARCH_FILTER);
  const template = read.optional(LDAP_USER_DN_TEMPLATE);
  const searchSettings = [LDAP_SEARCH_BASE, LDAP_BIND_DN, LDAP_BIND_PASSWORD] as const;
  if (filter !== undefined && template !== undefined) {
    read.report(LDAP_SEARCH_FILTER, `and ${LDAP_USER_DN_TEMPLATE} are both set; set one: the filter to search then bind, or the template to bind directly`);
    return undefined;
  }
  if (template !== undefined) {
    for (const setting of searchSettings) {
      if (read.optional(setting) !== undefined) read.report(setting, `is used only with ${LDAP_SEARCH_FILTER}; with ${LDAP_USER_DN_TEMPLATE} we bind directly as the user`);
    }
    return checkTemplate(read, template) ? { kind: 'template', userDnTemplate: template } : undefined;
  }
  if (filter === undefined) {
    read.report(
      LDAP_SEARCH_FILTER,
      `or ${LDAP_USER_DN_TEMPLATE} is required: a filter such as (|(mail={username})(uid={username})) with ` +
        `${searchSettings.join(', ')} to search then bind, or a DN template such as uid={username},ou=people,dc=example,dc=org`,
    );
    return undefined;
  }
  const filterOk = checkFilter(read, filter);
  const searchBase = dnSetting(read, LDAP_SEARCH_BASE, 'the subtree to search, e.g. ou=people,dc=example,dc=org');
  const bindDn = dnSetting(read, LDAP_BIND_DN, 'the service account that searches, e.g. cn=migration,ou=services,dc=example,dc=org');
  const bindPassword = read.optional(LDAP_BIND_PASSWORD);
  if (bindPassword === undefined) read.report(LDAP_BIND_PASSWORD, `is required with ${LDAP_BIND_DN}: the service account's password`);
  else if (!boundedText(read, LDAP_BIND_PASSWORD, bindPassword)) return undefined;
  if (!filterOk || searchBase === undefined || bindDn === undefined || bindPassword === undefined) return undefined;
  return { kind: 'search', bindDn, bindPassword, searchBase, searchFilter: filter };
}

/** The filter must hold `{username}` and, once a plain name is put in, parse as an RFC 4515 filter. */
function checkFilter(read: SettingsReader, filter: string): boolean {
  if (!boundedText(read, LDAP_SEARCH_FILTER, filter)) return false;
  if (!filter.includes(USERNAME_PLACEHOLDER)) {
    read.report(LDAP_SEARCH_FILTER, `must contain ${USERNAME_PLACEHOLDER} where the sign-in name goes, e.g. (|(mail={username})(uid={username}))`);
    return false;
  }
  if (!filter.startsWith('(') || !filter.endsWith(')')) {
    read.report(LDAP_SEARCH_FILTER, 'must be a filter in parentheses, e.g. (uid={username})');
    return false;
  }
  if (!parsesAsFilter(filter.replaceAll(USERNAME_PLACEHOLDER, 'probe'))) {
    read.report(LDAP_SEARCH_FILTER, 'is not a valid LDAP filter (RFC 4515), e.g. (&(objectClass=person)(uid={username}))');
    return false;
  }
  return true;
}

function checkTemplate(read: SettingsReader, template: string): boolean {
  if (!boundedText(read, LDAP_USER_DN_TEMPLATE, template)) return false;
  const placeholders = template.split(USERNAME_PLACEHOLDER).length - 1;
  if (placeholders === 0) {
    read.report(LDAP_USER_DN_TEMPLATE, `must contain ${USERNAME_PLACEHOLDER}, e.g. uid={username},ou=people,dc=example,dc=org`);
    return false;
  }
  if ((template.match(TEMPLATE_VALUE) ?? []).length !== placeholders) {
    read.report(LDAP_USER_DN_TEMPLATE, `must use ${USERNAME_PLACEHOLDER} as a whole attribute value (attr={username}, then a comma or the end), e.g. uid={username},ou=people,dc=example,dc=org`);
    return false;
  }
  return true;
}

/** A DN setting that is required in search mode. Only its length and characters are checked: AD also takes a UPN. */
function dnSetting(read: SettingsReader, setting: string, hint: string): string | undefined {
  const value = read.optional(setting);
  if (value === undefined) {
    read.report(setting, `is required with ${LDAP_SEARCH_FILTER}: ${hint}`);
    return undefined;
  }
  return boundedText(read, setting, value) ? value : undefined;
}



