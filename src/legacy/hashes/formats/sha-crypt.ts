import { SHA_CRYPT_DEFAULT_ROUNDS, SHA_CRYPT_MAX_ROUNDS, SHA_CRYPT_MIN_ROUNDS } from '../compute/sha-crypt.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';

/**
 * crypt(3) writes salts in `[./0-9A-Za-z]`; a salt chosen by the caller may hold other printable ASCII, which
 * libxcrypt (Debian, Fedora) takes except `!`, `*`, `:`, `;` and `\`, and so does this. Rounds have no leading zero
 * (libxcrypt and passlib refuse `rounds=0100`).
 */
const SHAPE = /^\$([56])\$(?:rounds=([1-9]\d{0,9})\$)?(["#%-)+-9<-[\]-~]*)\$([./0-9A-Za-z]+)$/;

/**
 * sha256-crypt `$5$` and sha512-crypt `$6$` (glibc crypt(3), /etc/shadow, many appliances), with or without
 * `rounds=`. Computed in the worker pool: thousands of sequential digests per check.
 */
export const shaCrypt: HashFormat = {
  id: 'sha-crypt',
  origin: "Ulrich Drepper's SHA-crypt (glibc crypt(3) since 2.7): Linux /etc/shadow, Dovecot, many appliances",
  matches: (hash) => /^\$[56]\$/.test(hash),
  prepare(stored, { limits }) {
    const match = SHAPE.exec(stored.hash);
    const variant = match?.[1] === '5' ? 'sha256' : 'sha512';
    const name = `${variant}-crypt`;
    if (!match) throw malformed(name, 'expected $6$[rounds=<n>$]<salt>$<digest>');
    const expectedLength = variant === 'sha256' ? 43 : 86;
    if (match[4]!.length !== expectedLength) throw malformed(name, `the digest must be ${expectedLength} characters`);
    const rounds = match[2] === undefined ? undefined : Number(match[2]);
    if (rounds !== undefined) requireWithin(name, 'rounds', Math.min(Math.max(rounds, SHA_CRYPT_MIN_ROUNDS), SHA_CRYPT_MAX_ROUNDS), limits.cryptRounds);
    const salt = match[3]!;
    const expected = match[4]!;
    return {
      params: { variant, rounds: rounds ?? SHA_CRYPT_DEFAULT_ROUNDS },
      verify: (password, runInWorker) => runInWorker({ kind: 'sha-crypt', variant, password: password.bytes, salt, rounds, expected }),
    };
  },
};
