import { scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { constantTimeEqual } from '../compare.js';
import { decodeBase64, decodeBase64Unpadded, decodeHex } from '../encodings.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import type { HashLimits } from '../limits.js';
import { requireWithin } from '../limits.js';
import { decodeHash64Bytes, decodeHash64Int } from './library/hash64.js';

const scryptAsync = (password: Buffer, salt: Buffer, length: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCallback(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));

interface ScryptParams {
  name: string;
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  expected: Buffer;
}

/** Checks the costs, then derives on libuv's pool (node:crypto async scrypt) and compares in constant time. */
function prepared(params: ScryptParams, limits: HashLimits) {
  const { name, N, r, p, salt, expected } = params;
  if (!(N > 1 && (N & (N - 1)) === 0) || r < 1 || p < 1 || expected.length < 16) throw malformed(name, 'N must be a power of two above 1, r and p at least 1, the key at least 16 bytes');
  requireWithin(name, 'N', N, limits.scryptN);
  requireWithin(name, 'r', r, limits.scryptR);
  requireWithin(name, 'p', p, limits.scryptP);
  return {
    params: { N, r, p },
    verify: async (password: { bytes: Buffer }) =>
      constantTimeEqual(await scryptAsync(password.bytes, salt, expected.length, { N, r, p, maxmem: 128 * N * r + 128 * r * p + 64 * 1024 * 1024 }), expected),
  };
}

/** A decimal parameter as the writers print it: no sign, no leading zero. */
const N = '([1-9]\\d{0,7})';
const SMALL = '([1-9]\\d{0,2})';
const PASSLIB = new RegExp(`^\\$scrypt\\$ln=([1-9]\\d?),r=${SMALL},p=${SMALL}\\$([A-Za-z0-9+/]*)\\$([A-Za-z0-9+/]+)$`);
const DJANGO = new RegExp(`^scrypt\\$${N}\\$([^$]+)\\$${SMALL}\\$${SMALL}\\$([A-Za-z0-9+/=]+)$`);
const HASHCAT = new RegExp(`^SCRYPT:${N}:${SMALL}:${SMALL}:([A-Za-z0-9+/=]*):([A-Za-z0-9+/=]+)$`);
const SPRING = /^\{scrypt\}\$([0-9a-f]{1,8})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;
/**
 * Colin Percival's crypt(3) notation (libsodium, libxcrypt, passlib ident `7$`): `$7$`, log2 N in one crypt64
 * character, r and p in five each (little-endian), the salt as its own text (libsodium writes crypt64; passlib
 * reads any printable ASCII but `$`, so that is accepted too), `$`, the 32-byte key in crypt64.
 */
const SEVEN = /^\$7\$([./A-Za-z0-9])([./A-Za-z0-9]{5})([./A-Za-z0-9]{5})([!-#%-~]*)\$([./A-Za-z0-9]{43})$/;
const WERKZEUG = new RegExp(`^scrypt:${N}:${SMALL}:${SMALL}\\$([^$]+)\\$([0-9a-f]+)$`);

/** The scrypt notations of passlib, libsodium/libxcrypt `$7$`, Django, hashcat, Spring Security and Werkzeug. */
export const scrypt: HashFormat = {
  id: 'scrypt',
  origin: 'scrypt (RFC 7914) as passlib $scrypt$, libsodium/libxcrypt $7$, Django scrypt$, hashcat SCRYPT:, Spring {scrypt}, Werkzeug scrypt:',
  matches: (hash) => [PASSLIB, DJANGO, HASHCAT, SPRING, WERKZEUG].some((shape) => shape.test(hash)) || /^(\$scrypt\$|\$7\$|scrypt\$|SCRYPT:|\{scrypt\}|scrypt:)/.test(hash),
  prepare(stored, { limits }) {
    // Not canonical base64 → an empty buffer, which prepared() refuses as too short a key (or salt, below).
    const b64 = (text: string) => decodeBase64(text) ?? Buffer.alloc(0);
    let match: RegExpExecArray | null;
    if ((match = PASSLIB.exec(stored.hash))) {
      // passlib writes standard base64 without padding (b64s_encode).
      const salt = decodeBase64Unpadded(match[4]!);
      const expected = decodeBase64Unpadded(match[5]!);
      if (!salt || !expected) throw malformed('passlib scrypt', 'the salt or key is not unpadded base64');
      return prepared({ name: 'passlib scrypt', N: 2 ** Number(match[1]), r: Number(match[2]), p: Number(match[3]), salt, expected }, limits);
    }
    if ((match = SEVEN.exec(stored.hash))) {
      const [, log2, r, p, salt, key] = match;
      const expected = decodeHash64Bytes(key!);
      if (!expected) throw malformed('scrypt $7$', 'the key is not 32 bytes of crypt64');
      return prepared({ name: 'scrypt $7$', N: 2 ** decodeHash64Int(log2!)!, r: decodeHash64Int(r!)!, p: decodeHash64Int(p!)!, salt: Buffer.from(salt!, 'ascii'), expected }, limits);
    }
    if ((match = DJANGO.exec(stored.hash))) {
      return prepared({ name: 'Django scrypt', N: Number(match[1]), r: Number(match[3]), p: Number(match[4]), salt: Buffer.from(match[2]!, 'utf8'), expected: b64(match[5]!) }, limits);
    }
    if ((match = HASHCAT.exec(stored.hash))) {
      return prepared({ name: 'scrypt', N: Number(match[1]), r: Number(match[2]), p: Number(match[3]), salt: b64(match[4]!), expected: b64(match[5]!) }, limits);
    }
    if ((match = SPRING.exec(stored.hash))) {
      const packed = parseInt(match[1]!, 16);
      return prepared({ name: 'Spring scrypt', N: 2 ** (packed >> 16), r: (packed >> 8) & 0xff, p: packed & 0xff, salt: b64(match[2]!), expected: b64(match[3]!) }, limits);
    }
    if ((match = WERKZEUG.exec(stored.hash))) {
      return prepared({ name: 'Werkzeug scrypt', N: Number(match[1]), r: Number(match[2]), p: Number(match[3]), salt: Buffer.from(match[4]!, 'utf8'), expected: decodeHex(match[5]!) ?? Buffer.alloc(0) }, limits);
    }
    throw malformed('scrypt', 'the parameters or encodings do not match any known scrypt notation');
  },
};
