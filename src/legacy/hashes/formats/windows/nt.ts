import { md4 } from 'hash-wasm';
import { constantTimeEqual } from '../../compare.js';
import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';
import { pbkdf2Matches } from '../pbkdf2-compute.js';
import { hexDigest, requireUsername } from './shared.js';

// The user name salts some of these formats but is never among the params a survey or `hash identify` reports.
// MD4 runs in WebAssembly (hash-wasm): OpenSSL 3 keeps it in the legacy provider. One block per check: microseconds.
const md4Raw = async (data: Uint8Array) => Buffer.from(await md4(data), 'hex');
const utf16le = (text: string) => Buffer.from(text, 'utf16le');

/** The NT hash (MD4 of the UTF-16LE password) of `text`. */
const ntDigest = (text: string) => md4Raw(utf16le(text));

/** MS Cache v1: MD4(NT hash ‖ UTF-16LE(lower-cased user name)). */
async function msdccDigest(text: string, username: string): Promise<Buffer> {
  return md4Raw(Buffer.concat([await ntDigest(text), utf16le(username.toLowerCase())]));
}

// pwdump, secretsdump and samdump print the hex in either case; passlib accepts both (it writes lower case).
function ntHex(format: string, text: string): Buffer {
  const digest = hexDigest(text, 32);
  if (!digest) throw malformed(format, 'expected 32 hex digits');
  return digest;
}

/**
 * The Windows NT hash (passlib `nthash`): 32 hex digits of MD4(UTF-16LE(password)), as SAM, NTDS.dit and Samba's
 * smbpasswd hold it. Named-only: 32 hex digits could as well be MD5 or LM.
 *
 * @example
 *   { hash: '7f8fe03093cc84b267b109625f6bbf4b', scheme: 'nthash' } // 'passphrase'
 */
export const nthash: HashFormat = {
  id: 'nthash',
  origin: 'Windows NT hash (SAM, NTDS.dit, Samba smbpasswd); passlib nthash',
  matches: () => false,
  prepare(stored) {
    const expected = ntHex('NT hash', stored.hash);
    return { params: {}, verify: async (password) => constantTimeEqual(await ntDigest(password.text), expected) };
  },
};

const BSD_NTHASH = /^\$3\$\$([0-9a-fA-F]{32})$/;

/** FreeBSD's NT hash in crypt(3) form (passlib `bsd_nthash`): `$3$$` + the 32 hex digits. Self-describing. */
export const bsdNthash: HashFormat = {
  id: 'bsd-nthash',
  origin: 'FreeBSD crypt(3) NT-Hash ($3$$); passlib bsd_nthash',
  matches: (hash) => BSD_NTHASH.test(hash),
  prepare(stored) {
    const hex = BSD_NTHASH.exec(stored.hash)?.[1];
    if (!hex) throw malformed('FreeBSD NT hash', "expected '$3$$' followed by 32 hex digits");
    const expected = Buffer.from(hex, 'hex');
    return { params: {}, verify: async (password) => constantTimeEqual(await ntDigest(password.text), expected) };
  },
};

/** Plain MD4 of the password bytes in hex (passlib `hex_md4`). Named-only (the shape of MD5). */
export const hexMd4: HashFormat = {
  id: 'hex-md4',
  origin: 'MD4 hex digest of the password; passlib hex_md4',
  matches: () => false,
  prepare(stored) {
    const expected = ntHex('MD4', stored.hash);
    return { params: {}, verify: async (password) => constantTimeEqual(await md4Raw(password.bytes), expected) };
  },
};

/**
 * MS Domain Cached Credentials v1 (passlib `msdcc`, "mscash"): MD4(NT hash ‖ UTF-16LE(lower-cased user name)).
 * Named-only; needs `params.username` — the account name alone (`Administrator`, not `DOMAIN\Administrator`).
 */
export const msdcc: HashFormat = {
  id: 'msdcc',
  origin: 'Windows domain cached credentials v1 (NT 4 – 2003, mscash); passlib msdcc',
  matches: () => false,
  prepare(stored) {
    const expected = ntHex('MS Cache v1', stored.hash);
    const username = requireUsername('MS Cache v1', stored);
    return { params: {}, verify: async (password) => constantTimeEqual(await msdccDigest(password.text, username), expected) };
  },
};

/**
 * MS Domain Cached Credentials v2 (passlib `msdcc2`, "mscash2"): PBKDF2-HMAC-SHA1(key = MS Cache v1 digest, salt =
 * UTF-16LE(lower-cased user name), 10,240 rounds, 16 bytes). Named-only; needs `params.username`.
 */
export const msdcc2: HashFormat = {
  id: 'msdcc2',
  origin: 'Windows domain cached credentials v2 (Vista and later, mscash2); passlib msdcc2',
  matches: () => false,
  prepare(stored) {
    const expected = ntHex('MS Cache v2', stored.hash);
    const username = requireUsername('MS Cache v2', stored);
    const salt = utf16le(username.toLowerCase());
    return {
      params: { iterations: 10240 },
      verify: async (password) => pbkdf2Matches(await msdccDigest(password.text, username), salt, 10240, 'sha1', expected),
    };
  },
};
