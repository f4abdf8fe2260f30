import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';
import { requireWithin } from '../../limits.js';

const SHA1_CRYPT = /^\$sha1\$([1-9][0-9]{0,9})\$([./A-Za-z0-9]{0,64})\$([./A-Za-z0-9]{28})$/;

/**
 * NetBSD's `$sha1$<rounds>$<salt>$<checksum>` (passlib `sha1_crypt`): `rounds` HMAC-SHA1s keyed with the password,
 * the first over `<salt>$sha1$<rounds>`, each next over the previous digest. Rounds 1 … 4,294,967,295 (passlib's
 * bounds, no leading zeros), salt 0–64 crypt64 characters, a 28-character checksum.
 *
 * The rounds run in the worker pool (compute/sha1-crypt.ts); the ceiling is the crypt rounds limit.
 *
 * @example
 *   sha1Crypt.prepare({ hash: '$sha1$10$c.mcTzCw$gF8UeYst9yXX7WNZKc5Fjkq0.au7' }, context).params // { rounds: 10 }
 */
export const sha1Crypt: HashFormat = {
  id: 'sha1-crypt',
  origin: 'NetBSD crypt(3) $sha1$ (passlib sha1_crypt)',
  matches: (hash) => hash.startsWith('$sha1$'),
  prepare(stored, { limits }) {
    const match = SHA1_CRYPT.exec(stored.hash);
    if (!match) throw malformed('sha1-crypt', 'expected $sha1$<rounds without leading zeros>$<0-64 crypt64 salt characters>$<28 crypt64 characters>');
    const rounds = Number(match[1]);
    if (rounds > 0xffff_ffff) throw malformed('sha1-crypt', 'rounds above 4294967295');
    requireWithin('sha1-crypt', 'rounds', rounds, limits.cryptRounds);
    const message = Buffer.from(`${match[2]}$sha1$${rounds}`, 'latin1');
    return {
      params: { rounds },
      // NetBSD's crypt stops at a NUL byte, passlib refuses one: such a password never matches.
      verify: async (password, runInWorker) => (await runInWorker({ kind: 'sha1-crypt', password: password.bytes, message, rounds, expected: match[3]! })) && !password.bytes.includes(0),
    };
  },
};
