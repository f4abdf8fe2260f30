import { constantTimeEqual } from '../../compare.js';
import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';

/**
 * The password itself, stored as UTF-8 text (passlib `plaintext` and `ldap_plaintext`: an LDAP userPassword
 * without a `{SCHEME}` prefix). Named only — any string could be one — and compared in constant time. An empty
 * stored value is refused as malformed rather than matching the empty password.
 *
 * @example
 *   { hash: 'correct horse', scheme: 'plaintext' }  // matches exactly "correct horse"
 */
export const plaintext: HashFormat = {
  id: 'plaintext',
  origin: 'passwords stored in clear (passlib plaintext, LDAP userPassword without a scheme)',
  matches: () => false,
  prepare(stored) {
    if (stored.hash === '') throw malformed('plaintext', 'the stored value is empty');
    const expected = Buffer.from(stored.hash, 'utf8');
    return { params: {}, verify: async (password) => constantTimeEqual(password.bytes, expected) };
  },
};
