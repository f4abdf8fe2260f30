import type { PreparedHash, StoredHash } from './format.js';

/**
 * A bcrypt cost-10 hash of a random string nobody knows: what an unknown user is checked against before any row was
 * verified, when no store-wide scheme says better. Cost 10 is what most bcrypt tables use.
 */
export const BCRYPT_STAND_IN: StoredHash = Object.freeze({ hash: '$2y$10$/eIzqCfdF6YYGbHPqonopuWxuaudSTsIiHAGYRyCTrTakUVrA0DYe' });

/**
 * What a password over the byte limit is checked as instead of itself: a fixed text of an ordinary length, so an
 * over-long password costs what a normal check costs — for a real account and an unknown one alike — without
 * being hashed at its full length. Its result is never used.
 */
export const OVER_LIMIT_PASSWORD_STAND_IN = 'entra-migrate: a password over the length limit, never a match.';

/**
 * Digest-like values of the usual lengths, hex then base64 (8, 16, 20, 32 and 64 bytes: MySQL 3.23, MD5, SHA-1,
 * SHA-256, SHA-512), and a DES crypt: one of them fits each configured scheme.
 */
const SHAPES: readonly string[] = [
  ...[8, 16, 20, 32, 64].map((bytes) => '5a'.repeat(bytes)),
  ...[16, 20, 32, 64].map((bytes) => Buffer.alloc(bytes, 0x5a).toString('base64')),
  '..ZZZZZZZZZZZ',
];

/** A salt for schemes that need one when LEGACY_HASH_PARAMS names none (each row's salt column would give it). */
const STAND_IN_SALT = 'c3RhbmQtaW4'; // base64 of "stand-in", also valid text

/**
 * A stand-in hash of the store-wide scheme (LEGACY_HASH_SCHEME with LEGACY_HASH_PARAMS): the first value of a usual
 * shape that the scheme accepts with those parameters, or undefined when none does (then bcrypt cost 10 stands in).
 *
 * @example
 *   standInForScheme('digest', { algorithm: 'sha256' }, prepare) // { hash: '5a5a…' (64 hex), scheme: 'digest', params: {…} }
 */
export function standInForScheme(
  scheme: string,
  params: Readonly<Record<string, unknown>>,
  prepare: (stored: StoredHash) => PreparedHash,
): StoredHash | undefined {
  const withSalt = { salt: STAND_IN_SALT, ...params };
  for (const hash of SHAPES) {
    const stored: StoredHash = { hash, scheme, params: withSalt };
    try {
      prepare(stored);
      return stored;
    } catch {
      // not this shape
    }
  }
  return undefined;
}
