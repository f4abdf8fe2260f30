import { createHash, createHmac } from 'node:crypto';
import { ownValue } from '../../../common/own.js';
import { constantTimeEqual } from '../compare.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';

const DJANGO_LEGACY = /^(sha1|md5)\$([^$]*)\$([0-9a-f]+)$/;
const LENGTHS: Record<string, number> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };

/**
 * Django's legacy `sha1$<salt>$<hex>` and `md5$<salt>$<hex>` (digest of salt ‖ password; `sha1$$…` is the unsalted
 * form). Werkzeug before 2.3 wrote the same shape with HMAC: name the scheme `werkzeug-legacy` for those.
 */
export const djangoLegacy: HashFormat = {
  id: 'django-legacy',
  origin: 'Django SHA1PasswordHasher, MD5PasswordHasher, UnsaltedSHA1PasswordHasher',
  matches: (hash) => DJANGO_LEGACY.test(hash),
  prepare(stored) {
    const match = DJANGO_LEGACY.exec(stored.hash);
    if (!match || match[3]!.length !== ownValue(LENGTHS, match[1]!)) throw malformed('Django legacy digest', 'expected sha1$<salt>$<40 hex> or md5$<salt>$<32 hex>');
    const [, algorithm, salt, hex] = match;
    return {
      params: { algorithm, salted: salt !== '' },
      verify: async (password) => constantTimeEqual(createHash(algorithm!).update(salt!, 'utf8').update(password.bytes).digest(), Buffer.from(hex!, 'hex')),
    };
  },
};

const WERKZEUG_LEGACY = /^(md5|sha1|sha256|sha512)\$([^$]*)\$([0-9a-f]+)$/;

/** Werkzeug before 2.3: `<method>$<salt>$<hex HMAC(key = salt, password)>` (configured: its shape is Django's). */
export const werkzeugLegacy: HashFormat = {
  id: 'werkzeug-legacy',
  origin: 'Werkzeug < 2.3 generate_password_hash (Flask apps)',
  matches: () => false,
  prepare(stored) {
    const match = WERKZEUG_LEGACY.exec(stored.hash);
    if (!match || match[3]!.length !== ownValue(LENGTHS, match[1]!)) throw malformed('Werkzeug legacy', 'expected <method>$<salt>$<hex digest>');
    const [, algorithm, salt, hex] = match;
    return {
      params: { algorithm },
      verify: async (password) => constantTimeEqual(createHmac(algorithm!, salt!).update(password.bytes).digest(), Buffer.from(hex!, 'hex')),
    };
  },
};

/** MySQL 4.1+ `PASSWORD()`: `*` + upper-case hex SHA1(SHA1(password)). */
export const mysql41: HashFormat = {
  id: 'mysql41',
  origin: 'MySQL 4.1–5.7 mysql_native_password',
  matches: (hash) => /^\*[0-9A-Fa-f]{40}$/.test(hash),
  prepare(stored) {
    if (!/^\*[0-9A-Fa-f]{40}$/.test(stored.hash)) throw malformed('MySQL 4.1', "expected '*' followed by 40 hex digits");
    const expected = Buffer.from(stored.hash.slice(1), 'hex');
    return {
      params: {},
      verify: async (password) => constantTimeEqual(createHash('sha1').update(createHash('sha1').update(password.bytes).digest()).digest(), expected),
    };
  },
};

/** PostgreSQL's `md5` + md5(password ‖ user name): needs `params.username` (the role name). */
export const postgresMd5: HashFormat = {
  id: 'postgres-md5',
  origin: 'PostgreSQL password_encryption = md5 (pg_authid)',
  matches: (hash) => /^md5[0-9a-f]{32}$/.test(hash),
  prepare(stored) {
    if (!/^md5[0-9a-f]{32}$/.test(stored.hash)) throw malformed('PostgreSQL md5', "expected 'md5' followed by 32 hex digits");
    // The role name may come as params.username or in the store's salt column.
    const username = stored.params?.username ?? stored.params?.salt;
    if (typeof username !== 'string' || username === '') {
      throw malformed('PostgreSQL md5', 'it is salted with the role name: give params.username (or a salt column holding it)');
    }
    const expected = Buffer.from(stored.hash.slice(3), 'hex');
    return {
      params: { username },
      verify: async (password) => constantTimeEqual(createHash('md5').update(password.bytes).update(username, 'utf8').digest(), expected),
    };
  },
};
