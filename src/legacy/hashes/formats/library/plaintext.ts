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

/**
 * Roundup's `{plaintext}` prefix (passlib `roundup_plaintext`): the password in clear behind it, recognised by the
 * prefix and compared in constant time; an empty value is malformed, as for `plaintext`.
 */
export const roundupPlaintext: HashFormat = {
  id: 'roundup-plaintext',
  origin: 'Roundup issue tracker {plaintext} (passlib roundup_plaintext)',
  matches: (hash) => hash.startsWith('{plaintext}'),
  prepare(stored, context) {
    if (!stored.hash.startsWith('{plaintext}')) throw malformed('Roundup {plaintext}', 'expected {plaintext} and the password');
    return plaintext.prepare({ hash: stored.hash.slice('{plaintext}'.length) }, context);
  },
};
