import { createHash, createHmac } from 'node:crypto';
import { verify as bcryptVerify } from '@node-rs/bcrypt';
import { constantTimeEqual } from '../compare.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';

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

export const prefixed: HashFormat = {
  id: 'prefixed',
  origin: 'LDAP {CRYPT}; Spring Security {bcrypt}/{argon2}; Django bcrypt$/argon2$',
  matches: (hash) => PREFIXES.some(([prefix]) => hash.startsWith(prefix)) && !hash.startsWith('bcrypt_sha256$'),
  prepare(stored, { nested }) {
    const [prefix, name] = PREFIXES.find(([candidate]) => stored.hash.startsWith(candidate))!;
    let inner = stored.hash.slice(prefix.length);
    // Django's argon2 strings drop the leading `$` of PHC: `argon2$argon2id$v=19$…`.
    if (prefix === 'argon2$') inner = `$${inner}`;
    const prepared = nested(inner);
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

const PASSLIB_BCRYPT_SHA256 = /^\$bcrypt-sha256\$v=2,t=(2[aby]),r=(\d{1,2})\$([./A-Za-z0-9]{22})\$([./A-Za-z0-9]{31})$/;

/** passlib `$bcrypt-sha256$v=2,…`: bcrypt over base64(HMAC-SHA256(key = the bcrypt salt, password)). */
export const passlibBcryptSha256: HashFormat = {
  id: 'passlib-bcrypt-sha256',
  origin: 'passlib bcrypt_sha256 (v2)',
  matches: (hash) => hash.startsWith('$bcrypt-sha256$'),
  prepare(stored, { nested }) {
    const match = PASSLIB_BCRYPT_SHA256.exec(stored.hash);
    if (!match) throw malformed('passlib bcrypt_sha256', 'expected $bcrypt-sha256$v=2,t=2b,r=<cost>$<salt>$<digest>');
    const inner = `$${match[1]}$${match[2]!.padStart(2, '0')}$${match[3]}${match[4]}`;
    const prepared = nested(inner);
    return {
      params: prepared.params,
      verify: (password) => bcryptVerify(createHmac('sha256', match[3]!).update(password.bytes).digest('base64'), inner),
    };
  },
};
