import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';
import { requireWithin } from '../../limits.js';

/** `$md5$` or `$md5,rounds=<n>$` (no leading zeros, not 0), the salt, an optional `$`, then `$` and 22 characters. */
const SUN_MD5 = /^(\$md5(?:,rounds=([1-9][0-9]{0,9}))?\$([./A-Za-z0-9]*)(\$?))\$([./A-Za-z0-9]{22})$/;
/** Largest rounds value Solaris takes (4096 more are always added). */
const MAX_ROUNDS = 4_294_963_199;

/**
 * Solaris' `$md5$` (passlib `sun_md5_crypt`): MD5(password ‖ config), then 4096 + rounds MD5s, each over the previous
 * digest, Hamlet's soliloquy when a coin flipped from the digest's bits says so, and the round number in decimal.
 * The config string — `$md5,rounds=N$salt$` or, for the "bare salt" strings Solaris also wrote, `$md5$salt` without
 * the `$` — is the salt, as passlib and Solaris take it. Computed in the worker pool (compute/sun-md5-crypt.ts).
 *
 * @example
 *   sunMd5Crypt.prepare({ hash: '$md5$3UqYqndY$$6P.aaWOoucxxq.l00SS9k0' }, context).params // { rounds: 0, bareSalt: false }
 */
export const sunMd5Crypt: HashFormat = {
  id: 'sun-md5-crypt',
  origin: 'Solaris crypt(3) $md5$ (passlib sun_md5_crypt)',
  matches: (hash) => hash.startsWith('$md5$') || hash.startsWith('$md5,'),
  prepare(stored, { limits }) {
    const match = SUN_MD5.exec(stored.hash);
    if (!match) throw malformed('sun-md5-crypt', 'expected $md5[,rounds=<n>]$<crypt64 salt>[$]$<22 crypt64 characters>');
    const rounds = match[2] === undefined ? 0 : Number(match[2]);
    if (rounds > MAX_ROUNDS) throw malformed('sun-md5-crypt', `rounds above ${MAX_ROUNDS}`);
    requireWithin('sun-md5-crypt', 'rounds', rounds, limits.cryptRounds);
    const config = Buffer.from(match[1]!, 'latin1');
    return {
      params: { rounds, bareSalt: match[4] === '' },
      verify: (password, runInWorker) => runInWorker({ kind: 'sun-md5-crypt', password: password.bytes, config, rounds, expected: match[5]! }),
    };
  },
};
