import { createCipheriv, createHash, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { hashRaw, type Algorithm, type Version } from '@node-rs/argon2';
import { ownValue } from '../../../common/own.js';
import { constantTimeEqual } from '../compare.js';
import { decodeBase64 } from '../encodings.js';
import { HashError, HashErrorCode, malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';
import { pbkdf2Matches } from './pbkdf2-compute.js';

const scryptAsync = (password: Buffer, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCallback(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));

function wrong(format: string, problem: string): HashError {
  return new HashError(HashErrorCode.HASH_SCHEME_UNKNOWN, `The ${format} scheme's params are wrong: ${problem}.`);
}

/** The stored key in `encoding` (hex default, or base64). */
function keyOf(format: string, hash: string, encoding: unknown): Buffer {
  const key = encoding === 'base64' ? decodeBase64(hash) : /^[0-9a-f]+$/i.test(hash) && hash.length % 2 === 0 ? Buffer.from(hash, 'hex') : null;
  if (!key || key.length < 8) throw malformed(format, `expected the derived key in ${encoding === 'base64' ? 'base64' : 'hex'}`);
  return key;
}

function positiveInteger(format: string, name: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw wrong(format, `${name} must be a positive whole number`);
  return value as number;
}

/**
 * `pbkdf2` (configured): a raw PBKDF2 key with its parameters kept apart — `salt` (its UTF-8 bytes, or
 * `saltEncoding` base64/hex), `iterations`, `digest` (sha1|sha256|sha512), `encoding` of the key (hex default,
 * base64). Covers RFC 6070-style exports and Symfony's Pbkdf2PasswordEncoder.
 */
export const pbkdf2: HashFormat = {
  id: 'pbkdf2',
  origin: 'raw PBKDF2 (RFC 8018) exports; Symfony Pbkdf2PasswordEncoder',
  matches: () => false,
  prepare(stored, { limits }) {
    const { salt, saltEncoding = 'utf8', iterations, digest, encoding } = stored.params ?? {};
    if (typeof salt !== 'string') throw wrong('pbkdf2', 'salt is required');
    if (saltEncoding !== 'utf8' && saltEncoding !== 'base64' && saltEncoding !== 'hex') throw wrong('pbkdf2', 'saltEncoding must be utf8, base64 or hex');
    if (digest !== 'sha1' && digest !== 'sha256' && digest !== 'sha512') throw wrong('pbkdf2', 'digest must be sha1, sha256 or sha512');
    const rounds = positiveInteger('pbkdf2', 'iterations', iterations);
    requireWithin('pbkdf2', 'iterations', rounds, limits.pbkdf2Iterations);
    const key = keyOf('pbkdf2', stored.hash, encoding);
    const saltBytes = Buffer.from(salt, saltEncoding);
    return { params: { digest, iterations: rounds }, verify: (password) => pbkdf2Matches(password.bytes, saltBytes, rounds, digest, key) };
  },
};

/**
 * `scrypt-raw` (configured): a raw scrypt key — `salt` (UTF-8, or `saltEncoding`), `N`, `r`, `p`, `encoding` of the
 * key (hex default, base64).
 */
export const scryptRaw: HashFormat = {
  id: 'scrypt-raw',
  origin: 'raw scrypt (RFC 7914) exports',
  matches: () => false,
  prepare(stored, { limits }) {
    const { salt, saltEncoding = 'utf8', N, r, p, encoding } = stored.params ?? {};
    if (typeof salt !== 'string') throw wrong('scrypt-raw', 'salt is required');
    if (saltEncoding !== 'utf8' && saltEncoding !== 'base64' && saltEncoding !== 'hex') throw wrong('scrypt-raw', 'saltEncoding must be utf8, base64 or hex');
    const [cost, block, parallel] = [positiveInteger('scrypt-raw', 'N', N), positiveInteger('scrypt-raw', 'r', r), positiveInteger('scrypt-raw', 'p', p)];
    if ((cost & (cost - 1)) !== 0 || cost < 2) throw wrong('scrypt-raw', 'N must be a power of two');
    requireWithin('scrypt-raw', 'N', cost, limits.scryptN);
    requireWithin('scrypt-raw', 'r', block, limits.scryptR);
    requireWithin('scrypt-raw', 'p', parallel, limits.scryptP);
    const key = keyOf('scrypt-raw', stored.hash, encoding);
    const saltBytes = Buffer.from(salt, saltEncoding);
    const options = { N: cost, r: block, p: parallel, maxmem: 128 * cost * block + 128 * block * parallel + 64 * 1024 * 1024 };
    return { params: { N: cost, r: block, p: parallel }, verify: async (password) => constantTimeEqual(await scryptAsync(password.bytes, saltBytes, key.length, options), key) };
  },
};

/**
 * `firebase-scrypt` (configured): Firebase Authentication's modified scrypt — scrypt(password, salt ‖ saltSeparator,
 * N = 2^memCost, r = rounds, p = 1) keys AES-256-CTR (zero IV) over the project's signer key; the hash is that
 * ciphertext. Params (base64): `salt`, `signerKey`, `saltSeparator`; numbers: `rounds`, `memCost`.
 */
export const firebaseScrypt: HashFormat = {
  id: 'firebase-scrypt',
  origin: 'Firebase Authentication user export (github.com/firebase/scrypt)',
  matches: () => false,
  prepare(stored, { limits }) {
    const { salt, signerKey, saltSeparator, rounds, memCost } = stored.params ?? {};
    const [saltBytes, signer, separator] = [salt, signerKey, saltSeparator].map((value) => (typeof value === 'string' ? decodeBase64(value) : null));
    if (!saltBytes || !signer || !separator) throw wrong('firebase-scrypt', 'salt, signerKey and saltSeparator must be base64');
    const r = positiveInteger('firebase-scrypt', 'rounds', rounds);
    const log2 = positiveInteger('firebase-scrypt', 'memCost', memCost);
    requireWithin('firebase-scrypt', 'N', 2 ** log2, limits.scryptN);
    requireWithin('firebase-scrypt', 'r', r, limits.scryptR);
    const expected = decodeBase64(stored.hash);
    if (!expected || expected.length !== signer.length) throw malformed('firebase-scrypt', 'expected the base64 passwordHash of the export');
    const options = { N: 2 ** log2, r, p: 1, maxmem: 128 * 2 ** log2 * r + 64 * 1024 * 1024 };
    return {
      params: { rounds: r, memCost: log2 },
      verify: async (password) => {
        const derived = await scryptAsync(password.bytes, Buffer.concat([saltBytes, separator]), 64, options);
        const cipher = createCipheriv('aes-256-ctr', derived.subarray(0, 32), Buffer.alloc(16));
        return constantTimeEqual(Buffer.concat([cipher.update(signer), cipher.final()]), expected);
      },
    };
  },
};

/**
 * `symfony-digest` (configured): Symfony's MessageDigestPasswordEncoder — digest(password ‖ "{salt}") then
 * `iterations` − 1 rounds of digest(previous ‖ password ‖ "{salt}"); params `salt`, `algorithm` (sha1|sha256|sha512),
 * `iterations` (default 5000), `encoding` (base64 default, or hex).
 */
export const symfonyDigest: HashFormat = {
  id: 'symfony-digest',
  origin: 'Symfony MessageDigestPasswordEncoder (legacy security.yml encoders)',
  matches: () => false,
  prepare(stored, { limits }) {
    const { salt = '', algorithm, iterations = 5000, encoding = 'base64' } = stored.params ?? {};
    if (typeof salt !== 'string') throw wrong('symfony-digest', 'salt must be text');
    if (algorithm !== 'sha1' && algorithm !== 'sha256' && algorithm !== 'sha512' && algorithm !== 'md5') throw wrong('symfony-digest', 'algorithm must be md5, sha1, sha256 or sha512');
    const rounds = positiveInteger('symfony-digest', 'iterations', iterations);
    requireWithin('symfony-digest', 'iterations', rounds, limits.cryptRounds);
    const expected = keyOf('symfony-digest', stored.hash, encoding === 'hex' ? 'hex' : 'base64');
    return {
      params: { algorithm, iterations: rounds },
      verify: (password, runInWorker) => {
        const merged = Buffer.concat([password.bytes, Buffer.from(`{${salt}}`, 'utf8')]);
        return runInWorker({ kind: 'iterated-digest', algorithm, first: merged, repeat: merged, rounds, expected });
      },
    };
  },
};

/** `mysql323` (configured): MySQL's pre-4.1 `OLD_PASSWORD()`, 16 hex digits. Broken; only for old exports. */
export const mysql323: HashFormat = {
  id: 'mysql323',
  origin: 'MySQL < 4.1 OLD_PASSWORD()',
  matches: () => false,
  prepare(stored) {
    if (!/^[0-9a-f]{16}$/i.test(stored.hash)) throw malformed('mysql323', 'expected 16 hex digits');
    const expected = stored.hash.toLowerCase();
    return {
      params: {},
      verify: async (password) => constantTimeEqual(Buffer.from(oldPassword(password.bytes)), Buffer.from(expected)),
    };
  },
};

function oldPassword(bytes: Buffer): string {
  let nr = 1345345333;
  let add = 7;
  let nr2 = 0x12345671;
  for (const byte of bytes) {
    if (byte === 0x20 || byte === 0x09) continue; // spaces and tabs are skipped, as MySQL did
    nr = (nr ^ (((nr & 63) + add) * byte + ((nr << 8) >>> 0))) >>> 0;
    nr2 = (nr2 + (((nr2 << 8) >>> 0) ^ nr)) >>> 0;
    add += byte;
  }
  return ((nr & 0x7fffffff) >>> 0).toString(16).padStart(8, '0') + ((nr2 & 0x7fffffff) >>> 0).toString(16).padStart(8, '0');
}

const ARGON2_TYPES: Record<string, Algorithm> = { d: 0 as Algorithm, i: 1 as Algorithm, id: 2 as Algorithm };

/**
 * `keycloak-argon2` (configured): a Keycloak argon2 credential — `hash` the base64 `value`, params `salt` (base64),
 * `iterations` (hashIterations), `memory` (KiB), `parallelism`, `type` (id|i|d), `version` (1.3 or 1.0).
 */
export const keycloakArgon2: HashFormat = {
  id: 'keycloak-argon2',
  origin: 'Keycloak 24+ argon2 password hashing provider',
  matches: () => false,
  prepare(stored, { limits }) {
    const { salt, iterations, memory, parallelism, type = 'id', version = '1.3' } = stored.params ?? {};
    const saltBytes = typeof salt === 'string' ? decodeBase64(salt) : null;
    const value = decodeBase64(stored.hash);
    const algorithm = typeof type === 'string' ? ownValue(ARGON2_TYPES, type) : undefined;
    if (!saltBytes) throw wrong('keycloak-argon2', 'salt must be base64');
    if (algorithm === undefined) throw wrong('keycloak-argon2', 'type must be id, i or d');
    if (version !== '1.3' && version !== '1.0') throw wrong('keycloak-argon2', 'version must be 1.3 or 1.0');
    const [t, m, p] = [positiveInteger('keycloak-argon2', 'iterations', iterations), positiveInteger('keycloak-argon2', 'memory', memory), positiveInteger('keycloak-argon2', 'parallelism', parallelism)];
    requireWithin('keycloak-argon2', 'memory (KiB)', m, limits.argon2MemoryKiB);
    requireWithin('keycloak-argon2', 'time cost', t, limits.argon2TimeCost);
    requireWithin('keycloak-argon2', 'parallelism', p, limits.argon2Parallelism);
    if (!value || value.length < 16) throw malformed('keycloak-argon2', 'the value must be base64 of at least 16 bytes');
    return {
      params: { type, iterations: t, memory: m, parallelism: p },
      verify: async (password) =>
        constantTimeEqual(
          await hashRaw(password.bytes, { algorithm, salt: saltBytes, timeCost: t, memoryCost: m, parallelism: p, outputLen: value.length, version: (version === '1.3' ? 1 : 0) as Version /* Version.V0x13 / V0x10 (const enum) */ }),
          value,
        ),
    };
  },
};

/**
 * `des-crypt` (configured): traditional Unix crypt(3), 13 characters (2 of salt), only the first 8 password
 * characters count. Thirteen characters of `[./0-9A-Za-z]` say nothing on their own, so the store names it.
 */
export const desCryptScheme: HashFormat = {
  id: 'des-crypt',
  origin: 'Unix V7 crypt(3), old /etc/passwd, htpasswd -d',
  matches: () => false,
  prepare(stored) {
    if (!/^[./0-9A-Za-z]{13}$/.test(stored.hash)) throw malformed('DES crypt', 'expected 13 characters of [./0-9A-Za-z]');
    return {
      params: { salt: stored.hash.slice(0, 2) },
      verify: (password, runInWorker) => runInWorker({ kind: 'des-crypt', password: password.bytes, expected: stored.hash }),
    };
  },
};
