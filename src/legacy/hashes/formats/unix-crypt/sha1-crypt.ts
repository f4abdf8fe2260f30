import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../../compare.js';
import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';
import { requireWithin } from '../../limits.js';
import { encodeTransposed, inSlices } from './chunked.js';

const SHA1_CRYPT = /^\$sha1\$([1-9][0-9]{0,9})\$([./A-Za-z0-9]{0,64})\$([./A-Za-z0-9]{28})$/;
const OFFSETS = [2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9, 14, 13, 12, 17, 16, 15, 0, 19, 18];

/**
 * NetBSD's `$sha1$<rounds>$<salt>$<checksum>` (passlib `sha1_crypt`): `rounds` HMAC-SHA1s keyed with the password,
 * the first over `<salt>$sha1$<rounds>`, each next over the previous digest. Rounds 1 … 4,294,967,295 (passlib's
 * bounds, no leading zeros), salt 0–64 crypt64 characters, a 28-character checksum.
 *
 * node:crypto's HMAC is synchronous, so the rounds run in slices that yield to the event loop (chunked.ts) until a
 * worker-pool task computes them; the ceiling is the crypt rounds limit.
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
    const expected = Buffer.from(match[3]!, 'latin1');
    return {
      params: { rounds },
      async verify(password) {
        // NetBSD's crypt stops at a NUL byte, passlib refuses one: such a password never matches.
        const hasNul = password.bytes.includes(0);
        const key = Buffer.from(password.bytes);
        let digest: Buffer = message;
        await inSlices(rounds, () => {
          digest = createHmac('sha1', key).update(digest).digest();
        });
        return constantTimeEqual(Buffer.from(encodeTransposed(digest, OFFSETS), 'latin1'), expected) && !hasNul;
      },
    };
  },
};
