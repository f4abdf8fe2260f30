import type { LegacyAccount, LegacyStore } from './store.js';
import type { LegacyAuthority, LegacyCheck, PasswordCheckOptions, SignInAttempt } from './authority.js';
import type { PasswordVerifier, StoredHash } from './hashes/index.js';

/** The scheme and params for rows that name none (LEGACY_HASH_SCHEME, LEGACY_HASH_PARAMS). */
export interface HashDefaults {
  readonly scheme: string | undefined;
  readonly params: Readonly<Record<string, unknown>>;
}

/**
 * A store of password hashes (the SQL stores, the in-memory twin) as a {@link LegacyAuthority}: finds the account,
 * then checks the password against its hash off the event loop.
 *
 * - No account: a dummy check of what a real one costs here (the verifier learns it from the rows it checks), so
 *   response time does not tell which accounts exist; then `unknown`.
 * - The password is checked before the status, so a blocked account is only revealed to someone who knows its
 *   password; to anyone else it looks like every other wrong guess.
 * - A hash that cannot be checked rejects with the verifier's `HashError` (HASH_MALFORMED, HASH_VERIFIER_BUSY …).
 *
 * @example
 *   const authority = hashStoreAuthority(await openSqlLegacyStore({ url, query }), createPasswordVerifier());
 *   await authority.checkPassword({ username, email: null, objectId, password }, { abortSignal, deadlineAt });
 */
export function hashStoreAuthority(store: LegacyStore, verifier: PasswordVerifier, hashDefaults?: HashDefaults): LegacyAuthority {
  return {
    kind: store.kind,
    async checkPassword(attempt: SignInAttempt, { abortSignal }: PasswordCheckOptions): Promise<LegacyCheck> {
      const account = await store.findAccount(
        { username: attempt.username, email: attempt.email, objectId: attempt.objectId },
        { abortSignal },
      );
      if (account === null) {
        await verifier.dummyVerify(attempt.password, { abortSignal }).catch(() => undefined);
        return { outcome: 'unknown' };
      }
      const matches = await verifier.verify(attempt.password, storedHashOf(account, hashDefaults), { abortSignal });
      if (!matches) return { outcome: 'wrong', legacyId: account.id };
      if (account.status === 'blocked') return { outcome: 'blocked', legacyId: account.id, status: 'blocked' };
      return { outcome: 'correct', legacyId: account.id, mustChangePassword: false };
    },
    ping: (options) => store.ping(options),
    close: () => store.close(),
  };
}

/**
 * The row's hash with its scheme, salt and user name (for the formats salted with it). The store-wide scheme applies only to rows that name none and whose hash
 * has no known shape, so a table part-upgraded to bcrypt keeps verifying both kinds.
 */
function storedHashOf(account: LegacyAccount, defaults: HashDefaults | undefined): StoredHash {
  const params = { ...defaults?.params, ...(account.salt !== null && { salt: account.salt }), ...(account.username && { username: account.username }) };
  return {
    hash: account.passwordHash,
    ...(account.scheme && { scheme: account.scheme }),
    ...(defaults?.scheme && { defaultScheme: defaults.scheme }),
    ...(Object.keys(params).length > 0 && { params }),
  };
}
