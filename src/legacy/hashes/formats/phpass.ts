import { PHPASS_ITOA64 } from '../compute/phpass.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';

const SHAPE = /^\$([PHS])\$([./0-9A-Za-z])([./0-9A-Za-z]{8})([./0-9A-Za-z]+)$/;

/**
 * phpass portable hashes `$P$` (WordPress up to 6.7), `$H$` (phpBB3) and Drupal 7's `$S$` (SHA-512, 55 characters).
 * Rounds are 2^n from the fourth character; computed in the worker pool.
 */
export const phpass: HashFormat = {
  id: 'phpass',
  origin: 'phpass (WordPress ≤ 6.7, phpBB3) and Drupal 7',
  matches: (hash) => /^\$[PHS]\$/.test(hash),
  prepare(stored, { limits }) {
    const match = SHAPE.exec(stored.hash);
    const drupal = match?.[1] === 'S';
    const name = drupal ? 'Drupal 7' : 'phpass';
    if (!match) throw malformed(name, 'expected $P$<rounds char><8-char salt><digest>');
    const log2 = PHPASS_ITOA64.indexOf(match[2]!);
    if (log2 < 7 || log2 > 30) throw malformed(name, `the rounds character encodes 2^${log2}, outside 2^7–2^30`);
    const expected = match[4]!;
    if (expected.length !== (drupal ? 43 : 22)) throw malformed(name, `the digest must be ${drupal ? 43 : 22} characters`);
    requireWithin(name, 'rounds', 2 ** log2, limits.cryptRounds);
    const salt = match[3]!;
    return {
      params: { variant: drupal ? 'drupal7' : match[1] === 'H' ? 'phpbb3' : 'wordpress', rounds: 2 ** log2 },
      verify: (password, runInWorker) =>
        runInWorker({ kind: 'phpass', algorithm: drupal ? 'sha512' : 'md5', password: password.bytes, salt, log2, expected }),
    };
  },
};
