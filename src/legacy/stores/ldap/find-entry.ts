import { FilterParser, ResultCodeError, type Entry, type Filter } from 'ldapts';
import { LDAP_SEARCH_FILTER } from '../../../config/legacy-ldap-settings.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { isAbortReason, within, type Bounds } from './bounds.js';
import { fillFilter } from './escape.js';
import type { ServicePool } from './service-pool.js';
import { ldapStoreError } from './store-error.js';
import { entryAttributes, readUserEntry, type UserEntry } from './user-entry.js';

/** What the search needs from the settings. */
export interface EntrySearch {
  readonly searchBase: string;
  readonly searchFilter: string;
  readonly idAttribute: string;
  readonly url: URL;
}

/**
 * Searches for the one entry the sign-in name designates, as the service account. Null when none or several match
 * (never a guess: two entries with the same mail are nobody in particular). At most two entries are asked for
 * (sizeLimit 2), aliases are not followed, and referrals are ignored.
 *
 * A pooled connection that served earlier searches may have been closed by the server since; when it fails before
 * any answer, the search is tried once more on a fresh one (within the same bounds).
 *
 * @example
 *   const entry = await findEntry(pool, search, 'ada@example.org', bounds);
 */
export async function findEntry(pool: ServicePool, search: EntrySearch, username: string, bounds: Bounds): Promise<UserEntry | null> {
  const entry = await searchOneEntry(pool, search, username, bounds);
  return entry === null ? null : readUserEntry(entry, search.idAttribute, bounds.now());
}

/**
 * {@link findEntry}'s search, returning the raw entry with `extraAttributes` asked for beside the id and the
 * account-state attributes (the profile, for sign-up). Null when none or several match.
 *
 * @example
 *   const entry = await searchOneEntry(pool, search, 'ada@example.org', bounds, ['givenName', 'sn']);
 */
export async function searchOneEntry(pool: ServicePool, search: EntrySearch, username: string, bounds: Bounds, extraAttributes: readonly string[] = []): Promise<Entry | null> {
  const filter = parseFilter(fillFilter(search.searchFilter, username));
  const wanted = entryAttributes(search.idAttribute);
  const attributes = [...wanted.attributes, ...extraAttributes];
  const { explicitBufferAttributes } = wanted;
  for (let attempt = 1; ; attempt += 1) {
    const lease = await pool.lease(bounds);
    let entries;
    try {
      const timeLimit = Math.max(1, Math.ceil((bounds.deadlineAt - bounds.now()) / 1000));
      ({ searchEntries: entries } = await within(bounds, () =>
        lease.connection.client.search(search.searchBase, {
          scope: 'sub',
          derefAliases: 'never',
          filter,
          attributes,
          explicitBufferAttributes,
          sizeLimit: 2,
          timeLimit,
        }),
      ));
    } catch (error) {
      if (error instanceof ResultCodeError) pool.release(lease.connection); // the directory answered: the connection is fine
      else pool.discard(lease.connection);
      if (isAbortReason(bounds, error)) throw error;
      const lost = !(error instanceof ResultCodeError) && !(error instanceof LegacyStoreError);
      if (lost && lease.reused && attempt === 1) continue;
      throw ldapStoreError(error, 'search', search.url);
    }
    pool.release(lease.connection);
    return entries.length === 1 ? entries[0]! : null;
  }
}

/** The filled filter, parsed. The settings reader parsed the template already; escaping keeps it parseable. */
function parseFilter(text: string): Filter {
  try {
    return FilterParser.parseString(text);
  } catch {
    throw new LegacyStoreError(LegacyStoreErrorCode.MISCONFIGURED, `${LDAP_SEARCH_FILTER} does not give a valid LDAP filter once the sign-in name is put in; check ${LDAP_SEARCH_FILTER}.`);
  }
}
