import type { Entry } from 'ldapts';
import { isAdAccountDisabled, isPpolicyLocked } from './account-state.js';
import { formatObjectGuid } from './object-guid.js';

/** What the directory told us about the account before (search) or after (direct bind) the password check. */
export interface UserEntry {
  readonly dn: string;
  /** LEGACY_LDAP_ID_ATTRIBUTE's value; null when the entry has none (or none we can read). */
  readonly legacyId: string | null;
  /** OpenLDAP ppolicy: `pwdAccountLockedTime` is set and in effect. */
  readonly locked: boolean;
  /** Active Directory: `userAccountControl` has ACCOUNTDISABLE. */
  readonly disabled: boolean;
}

const LOCKED_TIME = 'pwdAccountLockedTime';
const ACCOUNT_CONTROL = 'userAccountControl';
const OBJECT_GUID = 'objectGUID';
/** Ids longer than this are not ids; the ledger gets null rather than a blob. */
const MAX_ID_LENGTH = 256;

/**
 * The attributes to request for a user entry: the id attribute and the two account-state attributes (a directory
 * that has not heard of one ignores it, RFC 4511 §4.5.1.8). `objectGUID` is binary and asked for as bytes.
 *
 * @example
 *   entryAttributes('objectGUID') // { attributes: ['objectGUID', 'userAccountControl', 'pwdAccountLockedTime'], explicitBufferAttributes: ['objectGUID'] }
 */
export function entryAttributes(idAttribute: string): { attributes: string[]; explicitBufferAttributes: string[] } {
  const isGuid = idAttribute.toLowerCase() === OBJECT_GUID.toLowerCase();
  const id = isGuid ? OBJECT_GUID : idAttribute;
  const attributes = [id, ACCOUNT_CONTROL, LOCKED_TIME].filter(
    (name, index, all) => all.findIndex((other) => other.toLowerCase() === name.toLowerCase()) === index,
  );
  return { attributes, explicitBufferAttributes: isGuid ? [OBJECT_GUID] : [] };
}

/**
 * Reads a search entry as a {@link UserEntry}. Attribute names are matched without regard to case, as LDAP does.
 *
 * @example
 *   readUserEntry({ dn: 'uid=ada,ou=people,dc=example,dc=org', entryUUID: '…' }, 'entryUUID', Date.now())
 */
export function readUserEntry(entry: Entry, idAttribute: string, now: number): UserEntry {
  return {
    dn: entry.dn,
    legacyId: legacyIdOf(valuesOf(entry, idAttribute), idAttribute),
    locked: isPpolicyLocked(stringsOf(valuesOf(entry, LOCKED_TIME)), now),
    disabled: isAdAccountDisabled(stringsOf(valuesOf(entry, ACCOUNT_CONTROL))),
  };
}

function legacyIdOf(values: readonly (string | Buffer)[], idAttribute: string): string | null {
  const value = values[0];
  if (value === undefined) return null;
  if (idAttribute.toLowerCase() === OBJECT_GUID.toLowerCase()) {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    return bytes.length === 16 ? formatObjectGuid(bytes) : null;
  }
  const text = typeof value === 'string' ? value : value.toString('hex');
  return text.length > 0 && text.length <= MAX_ID_LENGTH ? text : null;
}

function valuesOf(entry: Entry, attribute: string): (string | Buffer)[] {
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((name) => name !== 'dn' && name.toLowerCase() === wanted);
  if (key === undefined) return [];
  const value = entry[key]!;
  return Array.isArray(value) ? value : [value];
}

function stringsOf(values: readonly (string | Buffer)[]): string[] {
  return values.map((value) => (typeof value === 'string' ? value : value.toString('utf8')));
}
