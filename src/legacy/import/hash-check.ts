import type { HashDefaults } from '../hash-store-authority.js';
import { HashError, HashErrorCode } from '../hashes/errors.js';
import type { HashFormat, PrepareContext, StoredHash } from '../hashes/format.js';
import { DEFAULT_FORMATS } from '../hashes/formats/index.js';
import { DEFAULT_HASH_LIMITS } from '../hashes/limits.js';
import { createHashRegistry } from '../hashes/registry.js';
import type { ImportedUser } from './imported-user.js';

/** Why a hash cannot be verified, by the verifier's error code: fixed phrases, so the summary can count them. */
const REASONS: Readonly<Record<string, string>> = {
  [HashErrorCode.HASH_FORMAT_UNSUPPORTED]: 'password hash in no format entra-migrate verifies',
  [HashErrorCode.HASH_MALFORMED]: 'password hash malformed',
  [HashErrorCode.HASH_PARAMS_OVER_LIMIT]: "password hash costs above the verifier's default ceilings (LEGACY_HASH_LIMITS)",
  [HashErrorCode.HASH_SCHEME_UNKNOWN]: 'hash scheme unknown, or its parameters wrong',
};

/**
 * A check, per row, that `serve` will be able to verify a password against the row's hash: the same format search
 * and parameter checks the verifier runs at sign-in (scheme named by the row, else the hash's shape, else the
 * store-wide scheme; the row's salt over the store-wide params), at the default cost ceilings. No password is
 * hashed. Returns null when the hash is usable, else a fixed reason naming the format, never the hash.
 *
 * @example
 *   const check = createHashCheck();
 *   check({ passwordHash: '$2b$10$…', scheme: null, salt: null }); // null
 *   check({ passwordHash: '5f4dcc3b…', scheme: null, salt: null }); // 'password hash in no format entra-migrate verifies'
 */
export function createHashCheck(defaults?: HashDefaults): (user: Pick<ImportedUser, 'passwordHash' | 'scheme' | 'salt'>) => string | null {
  const registry = createHashRegistry(DEFAULT_FORMATS);
  const context: PrepareContext = {
    limits: DEFAULT_HASH_LIMITS,
    nested: (hash) => registry.formatFor({ hash }).prepare({ hash }, context),
  };
  return (user) => {
    const stored = storedHashOf(user, defaults);
    let format: HashFormat | undefined;
    try {
      format = registry.formatFor(stored);
      format.prepare(stored, context);
      return null;
    } catch (error) {
      const reason = error instanceof HashError ? REASONS[error.code] : undefined;
      if (reason === undefined) throw error;
      return format === undefined ? reason : `${reason} (${format.id})`;
    }
  };
}

/** The hash as serve hands it to the verifier (legacy/hash-store-authority.ts does the same for each row it reads). */
function storedHashOf(user: Pick<ImportedUser, 'passwordHash' | 'scheme' | 'salt'>, defaults: HashDefaults | undefined): StoredHash {
  const params = { ...defaults?.params, ...(user.salt !== null && { salt: user.salt }) };
  return {
    hash: user.passwordHash,
    ...(user.scheme && { scheme: user.scheme }),
    ...(defaults?.scheme && { defaultScheme: defaults.scheme }),
    ...(Object.keys(params).length > 0 && { params }),
  };
}
