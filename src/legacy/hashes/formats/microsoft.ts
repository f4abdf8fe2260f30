import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../compare.js';
import { decodeBase64 } from '../encodings.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';
import { pbkdf2Matches } from './pbkdf2-compute.js';

const utf16 = (text: string) => Buffer.from(text, 'utf16le');

/**
 * SQL Server `PWDENCRYPT`: `0x0100` + salt4 + SHA1(UTF-16LE(password) ‖ salt) (2005–2008; 2000 appends a second
 * digest of the upper-cased password), `0x0200` + salt4 + SHA512(…) (2012+).
 */
export const mssql: HashFormat = {
  id: 'mssql',
  origin: 'Microsoft SQL Server PWDENCRYPT (2000, 2005–2008, 2012+)',
  matches: (hash) => /^0x0[12]00[0-9a-fA-F]{8}/.test(hash),
  prepare(stored) {
    // SQL Server writes `0x` and upper-case digits; passlib reads the digits in either case, never `0X`.
    const raw = /^0x(?:[0-9a-fA-F]{2})+$/.test(stored.hash) ? Buffer.from(stored.hash.slice(2), 'hex') : null;
    const version = raw?.readUInt16BE(0);
    const layout = version === 0x0200 ? { algorithm: 'sha512', length: 64 } : { algorithm: 'sha1', length: 20 };
    if (!raw || (raw.length !== 6 + layout.length && !(version === 0x0100 && raw.length === 6 + 40))) {
      throw malformed('SQL Server', 'expected 0x0100 or 0x0200, a 4-byte salt and the digest(s) in hex');
    }
    const salt = raw.subarray(2, 6);
    const digest = (text: string) => createHash(layout.algorithm).update(utf16(text)).update(salt).digest();
    const sql2000 = version === 0x0100 && raw.length === 46;
    return {
      params: { version: version === 0x0200 ? '2012' : sql2000 ? '2000' : '2005' },
      verify: async (password) => {
        const first = constantTimeEqual(digest(password.text), raw.subarray(6, 6 + layout.length));
        // SQL Server 2000 also stored the upper-cased password's digest; a match on either is how it authenticated.
        return sql2000 ? first || constantTimeEqual(digest(password.text.toUpperCase()), raw.subarray(26)) : first;
      },
    };
  },
};

const PRFS = ['sha1', 'sha256', 'sha512'] as const;

/**
 * ASP.NET Core Identity `PasswordHasher`: base64 of `0x00` + salt16 + PBKDF2-HMAC-SHA1(1000)→32 (v2), or `0x01` +
 * prf + iterations + salt length (big-endian uint32 each) + salt + subkey (v3).
 */
export const aspnetIdentity: HashFormat = {
  id: 'aspnet-identity',
  origin: 'ASP.NET Identity v2 / ASP.NET Core Identity v3 PasswordHasher',
  // v2: 49 bytes starting 0x00 → 'A[A-P]' + 66 characters ending '=='; v3: 0x01 and a big-endian PRF → 'AQAAAA'.
  matches: (hash) => /^A[A-P][A-Za-z0-9+/]{64}==$/.test(hash) || /^AQAAAA[A-Za-z0-9+/]{40,}={0,2}$/.test(hash),
  prepare(stored, { limits }) {
    const raw = decodeBase64(stored.hash);
    if (raw?.[0] === 0x00 && raw.length === 49) {
      return {
        params: { version: 2, prf: 'sha1', iterations: 1000 },
        verify: (password) => pbkdf2Matches(password.bytes, raw.subarray(1, 17), 1000, 'sha1', raw.subarray(17)),
      };
    }
    if (raw?.[0] !== 0x01 || raw.length < 13) throw malformed('ASP.NET Identity', 'expected base64 of a v2 (0x00) or v3 (0x01) blob');
    const prf = PRFS[raw.readUInt32BE(1)];
    const iterations = raw.readUInt32BE(5);
    const saltLength = raw.readUInt32BE(9);
    if (!prf || saltLength < 8 || raw.length < 13 + saltLength + 16) throw malformed('ASP.NET Identity v3', 'unknown PRF or lengths out of range');
    requireWithin('ASP.NET Identity v3', 'iterations', iterations, limits.pbkdf2Iterations);
    const salt = raw.subarray(13, 13 + saltLength);
    const subkey = raw.subarray(13 + saltLength);
    return {
      params: { version: 3, prf, iterations },
      verify: (password) => pbkdf2Matches(password.bytes, salt, iterations, prf, subkey),
    };
  },
};

/**
 * ASP.NET Membership (configured, `aspnet-membership`): base64(digest(salt ‖ UTF-16LE(password))), the salt (base64)
 * in its own column; `algorithm` sha1 (default) or sha256.
 */
export const aspnetMembership: HashFormat = {
  id: 'aspnet-membership',
  origin: 'ASP.NET Membership SqlMembershipProvider (aspnet_Membership.Password/PasswordSalt)',
  matches: () => false,
  prepare(stored) {
    const salt = typeof stored.params?.salt === 'string' ? decodeBase64(stored.params.salt) : null;
    const algorithm = stored.params?.algorithm ?? 'sha1';
    if (!salt) throw malformed('ASP.NET Membership', 'params.salt must be the base64 PasswordSalt');
    if (algorithm !== 'sha1' && algorithm !== 'sha256') throw malformed('ASP.NET Membership', 'params.algorithm must be sha1 or sha256');
    const expected = decodeBase64(stored.hash);
    if (!expected || expected.length !== (algorithm === 'sha1' ? 20 : 32)) throw malformed('ASP.NET Membership', `expected a base64 ${algorithm} digest`);
    return {
      params: { algorithm },
      verify: async (password) => constantTimeEqual(createHash(algorithm).update(salt).update(utf16(password.text)).digest(), expected),
    };
  },
};
