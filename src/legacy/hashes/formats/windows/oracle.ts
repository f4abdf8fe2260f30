import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../../compare.js';
import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';
import { desEncryptBlock, hexDigest, requireUsername } from './shared.js';

const ORACLE10_KEY = Buffer.from('0123456789abcdef', 'hex');

/** The last block of DES-CBC (zero IV) over `data`, zero-padded to whole blocks: Oracle 10g's construction. */
function desCbcMac(key: Buffer, data: Buffer): Buffer {
  let block: Buffer = Buffer.alloc(8);
  for (let offset = 0; offset < data.length; offset += 8) {
    const chunk = Buffer.alloc(8);
    data.copy(chunk, 0, offset, offset + 8);
    for (let i = 0; i < 8; i++) chunk[i]! ^= block[i]!;
    block = desEncryptBlock(key, chunk);
  }
  return block;
}

/**
 * Oracle 7 – 10g (passlib `oracle10`): 16 hex digits; UTF-16BE of the upper-cased user name ‖ password, DES-CBC-MAC
 * under 0x0123456789ABCDEF, then again under that result. Named-only; needs `params.username`. Oracle writes upper
 * case; passlib accepts lower case too, and so do we (exports through tools that lower-case hex).
 *
 * @example
 *   { hash: 'F894844C34402B67', scheme: 'oracle10', params: { username: 'scott' } } // 'tiger'
 */
export const oracle10: HashFormat = {
  id: 'oracle10',
  origin: 'Oracle Database 7–10g DBA_USERS.PASSWORD / SYS.USER$.PASSWORD; passlib oracle10',
  matches: () => false,
  prepare(stored) {
    const expected = hexDigest(stored.hash, 16);
    if (!expected) throw malformed('Oracle 10g', 'expected 16 hex digits');
    const username = requireUsername('Oracle 10g', stored);
    return {
      params: {},
      verify: async (password) => {
        const input = Buffer.from((username + password.text).toUpperCase(), 'utf16le').swap16();
        return constantTimeEqual(desCbcMac(desCbcMac(ORACLE10_KEY, input), input), expected);
      },
    };
  },
};

// passlib's own pattern, case-insensitive (even `s:`, which no Oracle writes but passlib identifies and verifies); its
// salt must still be upper-case hex (oracle11.salt_chars), see prepare.
const ORACLE11 = /^S:([0-9a-f]{40})([0-9a-f]{20})$/i;

/**
 * Oracle 11g (passlib `oracle11`): `S:` + 40 hex SHA1(password ‖ salt) + 20 hex salt, self-describing. Oracle writes
 * upper case; passlib accepts the digest in either case but the salt only in upper case, and so do we.
 *
 * @example
 *   'S:5FDAB69F543563582BA57894FE1C1361FB8ED57B903603F2C52ED1B4D642' // 'abc123'
 */
export const oracle11: HashFormat = {
  id: 'oracle11',
  origin: 'Oracle Database 11g SYS.USER$.SPARE4 (S: part); passlib oracle11',
  matches: (hash) => ORACLE11.test(hash),
  prepare(stored) {
    const match = ORACLE11.exec(stored.hash);
    if (!match || !/^[0-9A-F]{20}$/.test(match[2]!)) throw malformed('Oracle 11g', "expected 'S:', 40 hex digits of digest and 20 upper-case hex digits of salt");
    const expected = Buffer.from(match[1]!, 'hex');
    const salt = Buffer.from(match[2]!, 'hex');
    return { params: {}, verify: async (password) => constantTimeEqual(createHash('sha1').update(password.bytes).update(salt).digest(), expected) };
  },
};
