import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../../compare.js';
import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';
import { optionalUsername } from './shared.js';

const HASH64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CISCO_MD5 = /^[./0-9A-Za-z]{16}$/;

/** crypt(3)'s little-endian base64 of whole 3-byte groups (passlib h64.encode_bytes). */
function hash64(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const value = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16);
    for (let shift = 0; shift < 24; shift += 6) out += HASH64[(value >> shift) & 63];
  }
  return out;
}

/**
 * Cisco PIX/ASA MD5 (passlib's algorithm): the password (plus the user name's first 4 bytes, repeated, for the
 * salted forms — ASA only below 28 bytes) zero-padded or cut to 16 bytes (ASA: 32 once over 16), MD5, every fourth
 * byte dropped, hash64. Null for a password longer than the device allows: it never matches.
 */
function ciscoDigest(asa: boolean, password: Buffer, username: string | undefined): string | null {
  if (password.length > (asa ? 32 : 16)) return null;
  let secret = password;
  if (username !== undefined && (!asa || password.length < 28)) {
    const user = Buffer.from(username, 'utf8');
    const salt = Buffer.alloc(4);
    for (let i = 0; i < 4; i++) salt[i] = user[i % user.length]!;
    secret = Buffer.concat([secret, salt]);
  }
  const padded = Buffer.alloc(asa && secret.length > 16 ? 32 : 16);
  secret.copy(padded, 0, 0, padded.length);
  const digest = createHash('md5').update(padded).digest();
  return hash64(Buffer.from(digest.filter((_, i) => (i + 1) % 4 !== 0)));
}

function ciscoMd5(id: 'cisco-pix' | 'cisco-asa', name: string, origin: string): HashFormat {
  const asa = id === 'cisco-asa';
  return {
    id,
    origin,
    matches: () => false,
    prepare(stored) {
      if (!CISCO_MD5.test(stored.hash)) throw malformed(name, 'expected 16 characters of ./0-9A-Za-z');
      const username = optionalUsername(name, stored);
      const expected = Buffer.from(stored.hash, 'latin1');
      return {
        params: { salted: username !== undefined },
        verify: async (password) => {
          const digest = ciscoDigest(asa, password.bytes, username);
          return digest !== null && constantTimeEqual(Buffer.from(digest, 'latin1'), expected);
        },
      };
    },
  };
}

/**
 * Cisco PIX MD5 (passlib `cisco_pix`): `enable password … encrypted` / `passwd` (no user) and `username … password …
 * encrypted` (salted with the user: give `params.username`). 16 characters; named-only. Passwords over 16 bytes
 * never match, as on the device.
 *
 * @example
 *   { hash: '2KFQnbNIdI.2KYOU', scheme: 'cisco-pix' }                                  // 'cisco'
 *   { hash: 'hN7LzeyYjw12FSIU', scheme: 'cisco-pix', params: { username: 'john' } } // 'cisco'
 */
export const ciscoPix = ciscoMd5('cisco-pix', 'Cisco PIX', 'Cisco PIX firewall MD5 (enable/passwd/username … encrypted); passlib cisco_pix');

/** Cisco ASA MD5 (passlib `cisco_asa`): PIX's format for passwords up to 32 bytes (`params.username` for user entries). */
export const ciscoAsa = ciscoMd5('cisco-asa', 'Cisco ASA', 'Cisco ASA MD5 (enable/username … encrypted, ASA 7.0+); passlib cisco_asa');

const TYPE7_KEY = Buffer.from('dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87', 'latin1');
// Two decimal digits of key offset (0–52), then an even number of hex digits. IOS writes upper case; passlib takes
// lower case too (it upper-cases), and so do we.
const TYPE7 = /^([0-4][0-9]|5[0-2])((?:[0-9A-Fa-f]{2})*)$/;

/**
 * Cisco IOS type 7 (passlib `cisco_type7`): a reversible XOR obfuscation, not a hash. The stored value is decoded
 * and compared with the password bytes in constant time. Named-only (its shape is any even-length hex).
 *
 * @example
 *   { hash: '060506324F41584B56', scheme: 'cisco-type7' } // 'cisco123'
 */
export const ciscoType7: HashFormat = {
  id: 'cisco-type7',
  origin: 'Cisco IOS "password 7" (service password-encryption); passlib cisco_type7',
  matches: () => false,
  prepare(stored) {
    const match = TYPE7.exec(stored.hash);
    if (!match) throw malformed('Cisco type 7', 'expected a 2-digit offset 00–52 followed by pairs of hex digits');
    const offset = Number(match[1]);
    const plain = Buffer.from(match[2]!, 'hex').map((byte, i) => byte ^ TYPE7_KEY[(offset + i) % TYPE7_KEY.length]!);
    return { params: {}, verify: async (password) => constantTimeEqual(password.bytes, plain) };
  },
};
