import { createHash, createHmac } from 'node:crypto';
import { verify as bcryptVerify } from '@node-rs/bcrypt';
import { constantTimeEqual } from '../compare.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { desCryptScheme } from './configured-kdf.js';

/**
 * Formats that are another format behind a prefix: the inner hash is prepared by the registry, so its limits and
 * errors apply unchanged. `{CRYPT}` (LDAP), Spring's `{bcrypt}` / `{argon2}`, Django's `bcrypt$` / `argon2$`.
 */
const PREFIXES: ReadonlyArray<[string, string]> = [
  ['{CRYPT}', 'LDAP {CRYPT}'],
  ['{bcrypt}', 'Spring {bcrypt}'],
  ['{argon2}', 'Spring {argon2}'],
  ['bcrypt$', 'Django bcrypt'],
  ['argon2$', 'Django argon2'],
];

/** LDAP scheme names are case-insensitive (RFC 3112; OpenLDAP's `{crypt}` works as `{CRYPT}`): only this one is read so. */
const startsWithPrefix = (hash: string, prefix: string) => (prefix === '{CRYPT}' ? hash.slice(0, prefix.length).toUpperCase() === prefix : hash.startsWith(prefix));
/** Thirteen crypt64 characters: on its own ambiguous, behind `{CRYPT}` the traditional DES crypt (passlib ldap_des_crypt). */
const DES_CRYPT = /^[./0-9A-Za-z]{13}$/;

export const prefixed: HashFormat = {
  id: 'prefixed',
  origin: 'LDAP {CRYPT}; Spring Security {bcrypt}/{argon2}; Django bcrypt$/argon2$',
  matches: (hash) => PREFIXES.some(([prefix]) => startsWithPrefix(hash, prefix)) && !hash.startsWith('bcrypt_sha256$'),
  prepare(stored, context) {
    // Named by a store's scheme column, the hash may not have the shape matches() checks.
    const found = PREFIXES.find(([candidate]) => startsWithPrefix(stored.hash, candidate));
    if (!found) throw malformed('prefixed', `expected one of ${PREFIXES.map(([prefix]) => prefix).join(', ')} before the inner hash`);
    const [prefix, name] = found;
    let inner = stored.hash.slice(prefix.length);
    // Django's argon2 strings drop the leading `$` of PHC: `argon2$argon2id$v=19$…`.
    if (prefix === 'argon2$') inner = `$${inner}`;
    const prepared = prefix === '{CRYPT}' && DES_CRYPT.test(inner) ? desCryptScheme.prepare({ hash: inner }, context) : context.nested(inner);
    return { params: { wrapper: name, ...prepared.params }, verify: prepared.verify };
  },
};

/** `{noop}` (Spring): the password itself. Compared in constant time; exists in exports of test systems. */
export const springNoop: HashFormat = {
  id: 'spring-noop',
  origin: 'Spring Security NoOpPasswordEncoder',
  matches: (hash) => hash.startsWith('{noop}'),
  prepare(stored) {
    const expected = Buffer.from(stored.hash.slice('{noop}'.length), 'utf8');
    return { params: {}, verify: async (password) => constantTimeEqual(password.bytes, expected) };
  },
};

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/** Django's `bcrypt_sha256$`: bcrypt over the hex SHA-256 of the password (so long passwords count whole). */
export const djangoBcryptSha256: HashFormat = {
  id: 'django-bcrypt-sha256',
  origin: 'Django BCryptSHA256PasswordHasher',
  matches: (hash) => hash.startsWith('bcrypt_sha256$'),
  prepare(stored, { nested }) {
    const inner = stored.hash.slice('bcrypt_sha256$'.length);
    if (!BCRYPT.test(inner)) throw malformed('Django bcrypt_sha256', 'expected bcrypt_sha256$ followed by a bcrypt hash');
    const prepared = nested(inner);
    return {
      params: prepared.params,
      verify: (password) => bcryptVerify(createHash('sha256').update(password.bytes).digest('hex'), inner),
    };
  },
};

/** WordPress 6.8+ `$wp$2y$…`: bcrypt over base64(HMAC-SHA384(key "wp-sha384", password)). */
export const wordpressBcrypt: HashFormat = {
  id: 'wordpress-bcrypt',
  origin: 'WordPress 6.8+ wp_hash_password',
  matches: (hash) => hash.startsWith('$wp$2'),
  prepare(stored, { nested }) {
    const inner = stored.hash.slice('$wp'.length);
    if (!BCRYPT.test(inner)) throw malformed('WordPress bcrypt', 'expected $wp followed by a bcrypt hash');
    const prepared = nested(inner);
    return {
      params: prepared.params,
      verify: (password) => bcryptVerify(createHmac('sha384', 'wp-sha384').update(password.bytes).digest('base64'), inner),
    };
  },
};

const PASSLIB_BCRYPT_SHA256 = /^\$bcrypt-sha256\$v=2,t=(2b),r=(\d{1,2})\$([./A-Za-z0-9]{22})\$([./A-Za-z0-9]{31})$/;
/** Version 1 (passlib 1.6.2 – 1.7.2): `$bcrypt-sha256$2a,12$<salt>$<digest>`. */
const PASSLIB_BCRYPT_SHA256_V1 = /^\$bcrypt-sha256\$(2[ab]),(\d{1,2})\$([./A-Za-z0-9]{22})\$([./A-Za-z0-9]{31})$/;

/**
 * passlib `$bcrypt-sha256$`: version 2 (`v=2,t=2b,r=12`, passlib 1.7.3+, which writes and reads only `t=2b`) runs bcrypt over
 * base64(HMAC-SHA256(key = the bcrypt salt as text, password)); version 1 (`2a,12`, earlier passlib) over
 * base64(SHA-256(password)). Zero-padded costs (`r=04`) are refused, as passlib refuses them.
 *
 * @example
 *   '$bcrypt-sha256$2a,5$4XEDOKkQA1oR4QXNJ3J4vu$xSjD31G6FSbaeddveTJYcPSPsJyWGY2' // version 1 of "password"
 */
export const passlibBcryptSha256: HashFormat = {
  id: 'passlib-bcrypt-sha256',
  origin: 'passlib bcrypt_sha256 (v1 and v2)',
  matches: (hash) => hash.startsWith('$bcrypt-sha256$'),
  prepare(stored, { nested }) {
    const v2 = PASSLIB_BCRYPT_SHA256.exec(stored.hash);
    const match = v2 ?? PASSLIB_BCRYPT_SHA256_V1.exec(stored.hash);
    if (!match) throw malformed('passlib bcrypt_sha256', 'expected $bcrypt-sha256$v=2,t=2b,r=<cost>$<salt>$<digest> (or version 1: $bcrypt-sha256$2a,<cost>$<salt>$<digest>)');
    if (/^0./.test(match[2]!)) throw malformed('passlib bcrypt_sha256', 'the cost is zero-padded');
    const inner = `$${match[1]}$${match[2]!.padStart(2, '0')}$${match[3]}${match[4]}`;
    const prepared = nested(inner);
    const key = v2
      ? (password: Buffer) => createHmac('sha256', match[3]!).update(password).digest('base64')
      : (password: Buffer) => createHash('sha256').update(password).digest('base64');
    return {
      params: { version: v2 ? 2 : 1, ...prepared.params },
      verify: (password) => bcryptVerify(key(password.bytes), inner),
    };
  },
};
