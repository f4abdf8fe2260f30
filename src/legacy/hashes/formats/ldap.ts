import { createHash } from 'node:crypto';
import { ownValue } from '../../../common/own.js';
import { constantTimeEqual } from '../compare.js';
import { decodeAb64, decodeBase64, decodeHex } from '../encodings.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';
import { pbkdf2Matches } from './pbkdf2-compute.js';

/** RFC 2307 / OpenLDAP schemes: `{SHA}`, `{SSHA}`, `{SSHA256}`, `{SSHA512}`, `{MD5}`, `{SMD5}` (salt after the digest). */
const DIGEST_SCHEMES: Record<string, { algorithm: string; length: number; salted: boolean }> = {
  SHA: { algorithm: 'sha1', length: 20, salted: false },
  SSHA: { algorithm: 'sha1', length: 20, salted: true },
  SHA256: { algorithm: 'sha256', length: 32, salted: false },
  SSHA256: { algorithm: 'sha256', length: 32, salted: true },
  SHA512: { algorithm: 'sha512', length: 64, salted: false },
  SSHA512: { algorithm: 'sha512', length: 64, salted: true },
  MD5: { algorithm: 'md5', length: 16, salted: false },
  SMD5: { algorithm: 'md5', length: 16, salted: true },
};

/**
 * slappasswd writes 4 salt bytes and 389-DS 8, but OpenLDAP's own checker (liblutil passwd.c, chk_ssha1 …) takes any
 * salt of one byte or more, and hashcat's mode 1411 example carries 2: such rows verify as the directory verifies
 * them. passlib refuses fewer than 4; a salted scheme with no salt at all is malformed for both.
 */
const LDAP_MIN_SALT_BYTES = 1;

/** LDAP `userPassword` digests: base64(digest(password ‖ salt) ‖ salt), in padded base64. */
export const ldapDigest: HashFormat = {
  id: 'ldap-digest',
  origin: 'RFC 2307 / OpenLDAP slappasswd, 389-DS, Active Directory exports',
  matches: (hash) => /^\{(S?SHA(256|512)?|S?MD5)\}[A-Za-z0-9+/]/i.test(hash),
  prepare(stored) {
    const match = /^\{([A-Z0-9]+)\}(.+)$/i.exec(stored.hash);
    const scheme = ownValue(DIGEST_SCHEMES, match?.[1]?.toUpperCase() ?? '');
    if (!match || !scheme) throw malformed('LDAP', 'expected {SSHA}<base64>');
    // passlib's ldap_hex_md5 / ldap_hex_sha1: `{MD5}` and `{SHA}` with the digest in hex, as some directories and
    // exports write it. Never ambiguous: 32 or 40 base64 characters decode to 24 or 30 bytes, not 16 or 20.
    const hex = !scheme.salted && match[2]!.length === scheme.length * 2 ? decodeHex(match[2]!) : null;
    const raw = hex ?? decodeBase64(match[2]!);
    const length = scheme.salted ? raw && raw.length >= scheme.length + LDAP_MIN_SALT_BYTES : raw?.length === scheme.length;
    if (!raw || !length) {
      throw malformed(`LDAP {${match[1]}}`, `expected padded base64 of a ${scheme.length}-byte digest${scheme.salted ? ` followed by a salt of ${LDAP_MIN_SALT_BYTES} bytes or more` : ''}`);
    }
    const expected = raw.subarray(0, scheme.length);
    const salt = raw.subarray(scheme.length);
    return {
      params: { scheme: match[1]!.toUpperCase(), saltBytes: salt.length, ...(hex && { encoding: 'hex' }) },
      verify: async (password) => constantTimeEqual(createHash(scheme.algorithm).update(password.bytes).update(salt).digest(), expected),
    };
  },
};

/** Atlassian `{PKCS5S2}`: base64(salt16 ‖ PBKDF2-HMAC-SHA1(password, salt, 10000, 32)) (Jira, Confluence, Crowd). */
export const atlassianPkcs5s2: HashFormat = {
  id: 'atlassian-pkcs5s2',
  origin: 'Atlassian Crowd/Jira/Confluence',
  matches: (hash) => hash.startsWith('{PKCS5S2}'),
  prepare(stored) {
    const raw = decodeBase64(stored.hash.slice('{PKCS5S2}'.length));
    if (!raw || raw.length !== 48) throw malformed('Atlassian {PKCS5S2}', 'expected base64 of 16 salt bytes and a 32-byte key');
    return {
      params: { digest: 'sha1', iterations: 10000 },
      verify: (password) => pbkdf2Matches(password.bytes, raw.subarray(0, 16), 10000, 'sha1', raw.subarray(16)),
    };
  },
};

const LDAP_PBKDF2 = /^\{PBKDF2(?:-(SHA1|SHA256|SHA512))?\}([1-9]\d{0,9})\$([./A-Za-z0-9]+)\$([./A-Za-z0-9]+)$/i;

/** passlib's LDAP `{PBKDF2-SHA256}<rounds>$<ab64 salt>$<ab64 key>` (and -SHA512, -SHA1, bare {PBKDF2}). */
export const ldapPbkdf2: HashFormat = {
  id: 'ldap-pbkdf2',
  origin: 'passlib ldap_pbkdf2_* (OpenLDAP pw-pbkdf2 module)',
  matches: (hash) => /^\{PBKDF2(-SHA(1|256|512))?\}/i.test(hash),
  prepare(stored, { limits }) {
    const match = LDAP_PBKDF2.exec(stored.hash);
    if (!match) throw malformed('LDAP {PBKDF2}', 'expected {PBKDF2-SHA256}<rounds>$<salt>$<key> in adapted base64');
    const digest = (match[1] ?? 'SHA1').toLowerCase();
    const iterations = Number(match[2]);
    const salt = decodeAb64(match[3]!);
    const expected = decodeAb64(match[4]!);
    if (!salt || !expected || expected.length < 16) throw malformed('LDAP {PBKDF2}', 'the salt or key is not adapted base64 of the right length');
    requireWithin('LDAP {PBKDF2}', 'rounds', iterations, limits.pbkdf2Iterations);
    return { params: { digest, iterations }, verify: (password) => pbkdf2Matches(password.bytes, salt, iterations, digest, expected) };
  },
};
