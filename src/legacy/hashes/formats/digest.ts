import { createHash } from 'node:crypto';
import { ownValue } from '../../../common/own.js';
import { constantTimeEqual } from '../compare.js';
import { decodeBase64, decodeHex } from '../encodings.js';
import { HashError, HashErrorCode } from '../errors.js';
import type { HashFormat } from '../format.js';

const ALGORITHMS = { md5: 16, sha1: 20, sha256: 32, sha512: 64 } as const;
type Algorithm = keyof typeof ALGORITHMS;

/**
 * The configured `digest` scheme: one plain digest of the password, optionally salted before or after — what
 * home-grown systems stored as `md5(password)` or `sha256(salt + password)`. Weak, but common in exports; the
 * string alone cannot say which variant it is, so the store must name the scheme and its params:
 * `algorithm` (md5|sha1|sha256|sha512), `salt`?, `saltPosition` (prefix|suffix, required with a salt),
 * `saltEncoding`? (utf8, the default: the salt's characters; base64 or hex: its decoded bytes, as Okta exports),
 * `encoding`? (hex, the default, or base64).
 */
export const digest: HashFormat = {
  id: 'digest',
  origin: 'home-grown md5/sha1/sha256/sha512 with optional salt (configured)',
  matches: () => false,
  prepare(stored) {
    const params = stored.params ?? {};
    const algorithm = params.algorithm;
    if (typeof algorithm !== 'string' || ownValue<number>(ALGORITHMS, algorithm) === undefined) {
      throw schemeParams(`algorithm must be one of ${Object.keys(ALGORITHMS).join(', ')}`);
    }
    const salt = params.salt;
    if (salt !== undefined && salt !== null && typeof salt !== 'string') throw schemeParams('salt must be text');
    const position = params.saltPosition;
    if (typeof salt === 'string' && position !== 'prefix' && position !== 'suffix') {
      throw schemeParams('saltPosition must be prefix or suffix when a salt is given');
    }
    const saltEncoding = params.saltEncoding ?? 'utf8';
    if (saltEncoding !== 'utf8' && saltEncoding !== 'base64' && saltEncoding !== 'hex') throw schemeParams('saltEncoding must be utf8, base64 or hex');
    const encoding = params.encoding ?? 'hex';
    if (encoding !== 'hex' && encoding !== 'base64') throw schemeParams('encoding must be hex or base64');
    const expected = encoding === 'hex' ? decodeHex(stored.hash) : decodeBase64(stored.hash);
    const length = ALGORITHMS[algorithm as Algorithm];
    if (!expected || expected.length !== length) {
      throw new HashError(HashErrorCode.HASH_MALFORMED, `The stored digest hash is malformed: ${algorithm} in ${encoding} is ${length} bytes.`);
    }
    const saltBytes = typeof salt !== 'string' ? Buffer.alloc(0) : saltEncoding === 'hex' ? decodeHex(salt) : saltEncoding === 'base64' ? decodeBase64(salt) : Buffer.from(salt, 'utf8');
    if (!saltBytes) throw new HashError(HashErrorCode.HASH_MALFORMED, `The stored digest hash's salt is not ${saltEncoding}.`);
    return {
      params: { algorithm, salted: typeof salt === 'string', saltPosition: position ?? null, encoding },
      verify: async (password) => {
        const input = position === 'prefix' ? [saltBytes, password.bytes] : [password.bytes, saltBytes];
        return constantTimeEqual(createHash(algorithm).update(Buffer.concat(input)).digest(), expected);
      },
    };
  },
};

function schemeParams(problem: string): HashError {
  return new HashError(HashErrorCode.HASH_SCHEME_UNKNOWN, `The digest scheme's params are wrong: ${problem}.`);
}
