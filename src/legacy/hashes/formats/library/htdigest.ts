import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../../compare.js';
import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';

/**
 * Apache `htdigest` files (HTTP Digest authentication, RFC 2617 HA1): hex MD5 of `user:realm:password`, in lower case
 * as htdigest writes it. Named only — the string is 32 hex digits, like any MD5 — with the user and the realm as
 * params (`username`, or a `username` column, and `realm`), UTF-8 as passlib's `htdigest` encodes them.
 *
 * @example
 *   { hash: '939e7578ed9e3c518a452acee763bce9', scheme: 'htdigest', params: { username: 'Mufasa', realm: 'testrealm@host.com' } }
 */
export const htdigest: HashFormat = {
  id: 'htdigest',
  origin: 'Apache htdigest files (HTTP Digest authentication HA1; passlib htdigest)',
  matches: () => false,
  prepare(stored) {
    if (!/^[0-9a-f]{32}$/.test(stored.hash)) throw malformed('htdigest', 'expected 32 lower-case hex digits');
    const { username, realm } = stored.params ?? {};
    if (typeof username !== 'string' || username === '' || typeof realm !== 'string') {
      throw malformed('htdigest', 'it is salted with the user and the realm: give params.username (or a username column) and params.realm');
    }
    const expected = Buffer.from(stored.hash, 'hex');
    return {
      params: { realm },
      verify: async (password) => constantTimeEqual(createHash('md5').update(`${username}:${realm}:`, 'utf8').update(password.bytes).digest(), expected),
    };
  },
};
