import { setTimeout as sleep } from 'node:timers/promises';
import { LegacyStoreError, LegacyStoreErrorCode } from './errors.js';
import { accountFromRow } from './stores/sql/row.js';
import type { LegacyAccount, LegacyLookup, LegacyStore, LegacyStoreCallOptions } from './store.js';

/** One account of the in-memory store, shaped like a row of a legacy users table. */
export interface MemoryLegacyAccount {
  username: string;
  email?: string | null;
  /** The Entra object id, for stores keyed on it after pre-migration. */
  objectId?: string | null;
  id?: string | null;
  passwordHash: string;
  /** Raw status, mapped like a SQL `status` column (unknown values block). */
  status?: string | null;
  scheme?: string | null;
  salt?: string | null;
}

/**
 * Test behaviour of the memory store. Read at every call, so a test or the emulator may change it between calls
 * (say, to take the store "down" and bring it back).
 */
export interface MemoryLegacyStoreOptions {
  /** Each call waits this long first (honouring the abort signal), like a slow server. */
  delayInMs?: number;
  /** Each call rejects with this error (after the delay), like a failing server. */
  failWith?: Error;
}

/**
 * The in-memory twin of the SQL stores, for the emulator and unit tests. An account matches when the lookup's
 * `username` or `email` equals the account's `username` or `email`, compared case-insensitively (Unicode
 * `toLowerCase`, no locale), or when the lookup's `objectId` equals the account's `objectId` exactly. As in the
 * SQL stores, several matching accounts are `LEGACY_ROW_INVALID`, and rows are mapped by the same rules (status,
 * empty hash). Accounts are copied at creation; the options object is read at every call.
 *
 * @example
 *   const store = createMemoryLegacyStore([{ username: 'ada', email: 'ada@example.com', passwordHash: '$2b$10$…' }]);
 *   await store.findAccount({ username: 'ADA@example.com', email: null, objectId: 'x' }); // ada's account
 */
export function createMemoryLegacyStore(
  accounts: readonly MemoryLegacyAccount[],
  options: MemoryLegacyStoreOptions = {},
): LegacyStore {
  const copies = accounts.map((account) => ({ ...account }));
  let closed = false;

  const behave = async (callOptions: LegacyStoreCallOptions | undefined): Promise<void> => {
    if (closed) throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, 'The memory legacy store has been closed.');
    const signal = callOptions?.abortSignal;
    signal?.throwIfAborted();
    if ((options.delayInMs ?? 0) > 0) await sleep(options.delayInMs, undefined, signal === undefined ? {} : { signal }).catch(rethrowReason(signal));
    if (options.failWith !== undefined) throw options.failWith;
  };

  return {
    kind: 'memory',
    async findAccount(lookup: LegacyLookup, callOptions?: LegacyStoreCallOptions): Promise<LegacyAccount | null> {
      await behave(callOptions);
      const names = [lookup.username, lookup.email].filter((name): name is string => name !== null).map(fold);
      const matches = copies.filter(
        (account) =>
          names.includes(fold(account.username)) ||
          (account.email != null && names.includes(fold(account.email))) ||
          (account.objectId != null && account.objectId === lookup.objectId),
      );
      if (matches.length > 1) {
        throw new LegacyStoreError(
          LegacyStoreErrorCode.ROW_INVALID,
          'The legacy lookup matched more than one account; the query must identify at most one.',
        );
      }
      const account = matches[0];
      if (account === undefined) return null;
      return accountFromRow({
        id: account.id ?? null,
        password_hash: account.passwordHash,
        status: account.status ?? null,
        scheme: account.scheme ?? null,
        salt: account.salt ?? null,
      });
    },
    async ping(callOptions?: LegacyStoreCallOptions): Promise<void> {
      await behave(callOptions);
    },
    close(): Promise<void> {
      closed = true;
      return Promise.resolve();
    },
  };
}

function fold(name: string): string {
  return name.toLowerCase();
}

/** `timers/promises` rejects an aborted sleep with its own AbortError; callers expect the signal's reason. */
function rethrowReason(signal: AbortSignal | undefined): (error: unknown) => never {
  return (error) => {
    throw signal?.aborted ? signal.reason : error;
  };
}
