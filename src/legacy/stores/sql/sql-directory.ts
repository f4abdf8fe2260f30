import type { DirectoryLookupOptions, LegacyDirectory, LegacyDirectoryEntry } from '../../legacy-directory.js';
import type { LegacyStore } from '../../store.js';
import type { SqlLegacyAccount } from './row.js';

/** Longest address asked about (RFC 5321's path limit); longer is no address. */
const MAX_EMAIL_LENGTH = 320;
/** Control characters: PostgreSQL refuses a NUL in text outright, and no real address holds one. */
const CONTROL = /[\p{Cc}]/u;

/**
 * A SQL legacy store (or its in-memory twin) asked for the account owning an e-mail address: LEGACY_USER_QUERY runs
 * with `:email` and `:username` both the verified address and `:objectId` empty (no Entra account exists yet at
 * sign-up). An address over 320 characters or holding a control character matches nothing and is not sent. The
 * query's optional `display_name`, `given_name` and `surname` columns become the profile. Several matching rows
 * reject with `LEGACY_ROW_INVALID`, as for a sign-in; the hash the row carries is not used.
 *
 * @example
 *   const directory = sqlLegacyDirectory(await openSqlLegacyStore({ url, query }));
 *   await directory.findByEmail('ada@example.com', { abortSignal, deadlineAt }); // { legacyId: '1', status: 'active', profile: { givenName: 'Ada' } }
 */
export function sqlLegacyDirectory(store: LegacyStore): LegacyDirectory {
  return {
    kind: store.kind,
    async findByEmail(email: string, { abortSignal }: DirectoryLookupOptions): Promise<LegacyDirectoryEntry | null> {
      if (email.length > MAX_EMAIL_LENGTH || CONTROL.test(email)) return null;
      const account = (await store.findAccount({ username: email, email, objectId: '' }, { abortSignal })) as SqlLegacyAccount | null;
      if (account === null) return null;
      return { legacyId: account.id, status: account.status, profile: account.profile ?? {} };
    },
    close: () => store.close(),
  };
}
