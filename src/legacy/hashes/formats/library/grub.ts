import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';
import { requireWithin } from '../../limits.js';
import { pbkdf2Matches } from '../pbkdf2-compute.js';

/** GRUB writes upper-case hex; passlib reads either case, so lower case is accepted too (never mixed within a field). */
const SHAPE = /^grub\.pbkdf2\.sha512\.([1-9]\d{0,9})\.((?:[0-9A-F]{2})+|(?:[0-9a-f]{2})+)\.([0-9A-F]{128}|[0-9a-f]{128})$/;

/**
 * GRUB 2's `grub-mkpasswd-pbkdf2` (passlib `grub_pbkdf2_sha512`): `grub.pbkdf2.sha512.<iterations>.<hex salt>.<hex key>`,
 * PBKDF2-HMAC-SHA512 with a 64-byte key.
 *
 * @example
 *   // "password", 1,000 iterations, a 16-byte salt, the 64-byte key
 *   'grub.pbkdf2.sha512.1000.8F11C2F85F6BEDFDFF7F0F8190F2FEDF.DC92C038A76D61B18DF5C2432582A9C81392D9C4E99FC8B54C227371447D68863CC21166D1904970ACCEE2062D12B593787E55738EF9ADF05C9C3C289F41E92B'
 */
export const grubPbkdf2: HashFormat = {
  id: 'grub-pbkdf2-sha512',
  origin: 'GRUB 2 grub-mkpasswd-pbkdf2 (grub.cfg password_pbkdf2)',
  matches: (hash) => hash.startsWith('grub.pbkdf2.'),
  prepare(stored, { limits }) {
    const match = SHAPE.exec(stored.hash);
    if (!match) throw malformed('GRUB pbkdf2', 'expected grub.pbkdf2.sha512.<iterations>.<hex salt>.<128 hex digits>');
    const iterations = Number(match[1]);
    requireWithin('GRUB pbkdf2', 'iterations', iterations, limits.pbkdf2Iterations);
    const salt = Buffer.from(match[2]!, 'hex');
    const expected = Buffer.from(match[3]!, 'hex');
    return { params: { digest: 'sha512', iterations }, verify: (password) => pbkdf2Matches(password.bytes, salt, iterations, 'sha512', expected) };
  },
};
