import { createHash, createHmac } from 'node:crypto';
import { hashRaw, type Algorithm } from '@node-rs/argon2';

/** Algorithm.Argon2id: a const enum in the package's types, which verbatimModuleSyntax cannot inline. */
const ARGON2ID = 2 as Algorithm;
import { ownValue } from '../../../common/own.js';
import { constantTimeEqual } from '../compare.js';
import { decodeBase64, decodeHex } from '../encodings.js';
import { HashError, HashErrorCode, malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';
import { pbkdf2Matches } from './pbkdf2-compute.js';

const DIGEST_LENGTHS: Record<string, number> = { md5: 16, sha1: 20, sha256: 32, sha512: 64 };

function params(format: string, problem: string): HashError {
  return new HashError(HashErrorCode.HASH_SCHEME_UNKNOWN, `The ${format} scheme's params are wrong: ${problem}.`);
}

function digestBytes(hash: string, encoding: unknown, algorithm: string, format: string): Buffer {
  const bytes = encoding === 'base64' ? decodeBase64(hash) : decodeHex(hash);
  if (!bytes || bytes.length !== ownValue(DIGEST_LENGTHS, algorithm)) throw malformed(format, `expected a ${algorithm} digest in ${encoding === 'base64' ? 'base64' : 'hex'}`);
  return bytes;
}

/**
 * `hmac` (configured): HMAC with the salt as key over the password (`key: "salt"`), or the password as key over
 * the salt (`key: "password"`); `algorithm` md5|sha1|sha256|sha512, `encoding` hex (default) or base64.
 */
export const hmac: HashFormat = {
  id: 'hmac',
  origin: 'home-grown HMAC digests; Werkzeug < 2.3 (key = salt)',
  matches: () => false,
  prepare(stored) {
    const { algorithm, salt, key, encoding } = stored.params ?? {};
    if (typeof algorithm !== 'string' || ownValue(DIGEST_LENGTHS, algorithm) === undefined) throw params('hmac', 'algorithm must be md5, sha1, sha256 or sha512');
    if (typeof salt !== 'string') throw params('hmac', 'salt is required');
    if (key !== 'salt' && key !== 'password') throw params('hmac', 'key must be "salt" or "password"');
    const expected = digestBytes(stored.hash, encoding, algorithm, 'hmac');
    return {
      params: { algorithm, key },
      verify: async (password) => {
        const mac = key === 'salt' ? createHmac(algorithm, salt).update(password.bytes) : createHmac(algorithm, password.bytes).update(salt, 'utf8');
        return constantTimeEqual(mac.digest(), expected);
      },
    };
  },
};

const KEYCLOAK_ALGORITHMS: Record<string, string> = { pbkdf2: 'sha1', 'pbkdf2-sha256': 'sha256', 'pbkdf2-sha512': 'sha512' };

/**
 * `keycloak` (configured): a Keycloak credential — `hash` is the base64 `value`, params `salt` (base64),
 * `iterations`, `algorithm` (pbkdf2 | pbkdf2-sha256 | pbkdf2-sha512). The key length is the decoded value's.
 */
export const keycloak: HashFormat = {
  id: 'keycloak',
  origin: 'Keycloak credential table (secretData / credentialData)',
  matches: () => false,
  prepare(stored, { limits }) {
    const { salt, iterations, algorithm } = stored.params ?? {};
    const digest = typeof algorithm === 'string' ? ownValue(KEYCLOAK_ALGORITHMS, algorithm) : undefined;
    const saltBytes = typeof salt === 'string' ? decodeBase64(salt) : null;
    const value = decodeBase64(stored.hash);
    if (!digest) throw params('keycloak', 'algorithm must be pbkdf2, pbkdf2-sha256 or pbkdf2-sha512');
    if (!saltBytes) throw params('keycloak', 'salt must be base64');
    if (!Number.isInteger(iterations) || (iterations as number) < 1) throw params('keycloak', 'iterations must be a positive whole number');
    if (!value || value.length < 16) throw malformed('Keycloak', 'the value must be base64 of at least 16 bytes');
    requireWithin('Keycloak', 'iterations', iterations as number, limits.pbkdf2Iterations);
    return { params: { algorithm, iterations }, verify: (password) => pbkdf2Matches(password.bytes, saltBytes, iterations as number, digest, value) };
  },
};

const MAGENTO = /^([0-9a-f]{64}):([A-Za-z0-9]{1,64}):(\d(?:[_:]\d+)*)$/;

/**
 * Magento 2 `hash:salt:version[:version…]`: version 1 = SHA-256(salt ‖ password); 2 and 3 = argon2id13 raw (salt's
 * first 16 bytes, t=2, m=64 MiB, p=1, 32 bytes), hex. Several versions apply in order (an upgraded `1:2` hash).
 */
export const magento2: HashFormat = {
  id: 'magento2',
  origin: 'Magento 2 / Adobe Commerce Encryptor',
  matches: (hash) => MAGENTO.test(hash),
  prepare(stored) {
    const match = MAGENTO.exec(stored.hash);
    if (!match) throw malformed('Magento 2', 'expected <64 hex>:<salt>:<version>');
    const versions = match[3]!.split(':').map((part) => Number(part.split('_')[0]));
    if (versions.some((version) => version < 1 || version > 3)) throw malformed('Magento 2', 'versions are 1 (SHA-256) and 2/3 (argon2id)');
    const salt = match[2]!;
    const expected = Buffer.from(match[1]!, 'hex');
    return {
      params: { versions },
      verify: async (password) => {
        let current: Buffer = password.bytes;
        for (const version of versions) {
          current =
            version === 1
              ? Buffer.from(createHash('sha256').update(salt, 'utf8').update(current).digest('hex'), 'utf8')
              : Buffer.from((await hashRaw(current, { algorithm: ARGON2ID, salt: Buffer.from(salt.slice(0, 16), 'utf8'), timeCost: 2, memoryCost: 65536, parallelism: 1, outputLen: 32 })).toString('hex'), 'utf8');
        }
        return constantTimeEqual(Buffer.from(current.toString('utf8'), 'hex'), expected);
      },
    };
  },
};
