import type { Entry } from 'ldapts';
import type { LdapSettings } from '../../../config/legacy-ldap-settings.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { profileOf, type DirectoryLookupOptions, type LegacyDirectory, type LegacyDirectoryEntry } from '../../legacy-directory.js';
import type { Bounds } from './bounds.js';
import { LdapConnector } from './connection.js';
import { searchOneEntry } from './find-entry.js';
import { DEFAULT_SERVICE_CONNECTIONS } from './ldap-authority.js';
import { ServicePool } from './service-pool.js';
import { isSendableSignInName } from './sign-in-name.js';
import { readUserEntry } from './user-entry.js';

/** The profile attributes asked for beside the id: `displayName` (else `cn`), `givenName`, `sn`. */
const PROFILE_ATTRIBUTES = ['displayName', 'cn', 'givenName', 'sn'] as const;

/**
 * The directory store asked for the entry owning an e-mail address (sign-up): LEGACY_LDAP_SEARCH_FILTER with the
 * address as `{username}` (escaped, RFC 4515), as the service account, on a pool of its own. Only search mode can
 * look an entry up without the user's password: with LEGACY_LDAP_USER_DN_TEMPLATE this throws
 * `LEGACY_STORE_MISCONFIGURED` (serve then requires SIGNUP_COLLISION=off). A locked (ppolicy) or disabled (AD)
 * entry has status `blocked`.
 *
 * @example
 *   const directory = await openLdapDirectory(settings);
 *   await directory.findByEmail('ada@example.org', { abortSignal, deadlineAt }); // { legacyId: 'ada', status: 'active', profile: { givenName: 'Ada', surname: 'Lovelace', displayName: 'Ada Lovelace' } }
 */
export async function openLdapDirectory(settings: LdapSettings, options: { now?: () => number } = {}): Promise<LegacyDirectory> {
  const { lookup, url, idAttribute } = settings;
  if (lookup.kind !== 'search') {
    throw new LegacyStoreError(
      LegacyStoreErrorCode.MISCONFIGURED,
      'The directory store cannot look an account up by e-mail with LEGACY_LDAP_USER_DN_TEMPLATE (direct bind); set LEGACY_LDAP_SEARCH_FILTER or SIGNUP_COLLISION=off.',
    );
  }
  const now = options.now ?? Date.now;
  const connector = await LdapConnector.create(settings);
  const pool = new ServicePool(connector, lookup, url, DEFAULT_SERVICE_CONNECTIONS);
  const search = { searchBase: lookup.searchBase, searchFilter: lookup.searchFilter, idAttribute, url };
  let closed = false;

  return {
    kind: 'ldap',
    async findByEmail(email: string, { abortSignal, deadlineAt }: DirectoryLookupOptions): Promise<LegacyDirectoryEntry | null> {
      if (closed) throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, 'The directory legacy store is closed.');
      if (!isSendableSignInName(email)) return null;
      const bounds: Bounds = { deadlineAt, abortSignal, now };
      const entry = await searchOneEntry(pool, search, email, bounds, PROFILE_ATTRIBUTES);
      if (entry === null) return null;
      const user = readUserEntry(entry, idAttribute, bounds.now());
      return {
        legacyId: user.legacyId,
        status: user.locked || user.disabled ? 'blocked' : 'active',
        profile: profileOf({
          displayName: firstText(entry, 'displayName') ?? firstText(entry, 'cn'),
          givenName: firstText(entry, 'givenName'),
          surname: firstText(entry, 'sn'),
        }),
      };
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      pool.close();
      connector.destroyAll();
    },
  };
}

/** An attribute's first value as text, matched without regard to case; undefined when absent or binary. */
function firstText(entry: Entry, attribute: string): string | undefined {
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((name) => name !== 'dn' && name.toLowerCase() === wanted);
  if (key === undefined) return undefined;
  const value = entry[key];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}
