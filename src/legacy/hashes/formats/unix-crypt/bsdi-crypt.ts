import { malformed } from '../../errors.js';
import type { HashFormat, RunInWorker } from '../../format.js';
import { requireWithin } from '../../limits.js';
import { CRYPT64 } from '../../compute/transposed-base64.js';

const BSDI = /^_([./A-Za-z0-9]{4})([./A-Za-z0-9]{4})([./A-Za-z0-9]{11})$/;

/**
 * Checks a password against a whole BSDi hash (`expected`, 20 characters): compute/des-crypt.ts `bsdiCrypt` run in
 * the worker pool — a `bsdi-crypt` task that compute/tasks.ts does not have yet.
 */
export type BsdiCompute = (password: Uint8Array, expected: string, runInWorker: RunInWorker) => Promise<boolean>;

/**
 * BSDi / FreeBSD extended DES (`_` + 4 characters of rounds + 4 of salt + 11 of checksum; passlib `bsdi_crypt`):
 * every 8 bytes of the password count; rounds 1 … 16,777,215 (passlib's bounds; even counts, which passlib only
 * warns about, are accepted), checked against the crypt rounds limit before any work.
 *
 * Not in UNIX_CRYPT_FORMATS yet: its default 5,001 DES rounds take about 50 ms of bit-array JavaScript, so it needs
 * a worker-pool task. Once compute/tasks.ts has one, register
 * `bsdiCryptFormat((password, expected, run) => run({ kind: 'bsdi-crypt', password, expected }))`.
 *
 * @example
 *   bsdiCryptFormat(compute).prepare({ hash: '_J9..CCCCXBrJUJV154M' }, context).params // { rounds: 725 }
 */
export function bsdiCryptFormat(compute: BsdiCompute): HashFormat {
  return {
    id: 'bsdi-crypt',
    origin: 'BSDi / FreeBSD / NetBSD extended DES crypt(3) (passlib bsdi_crypt)',
    matches: (hash) => hash.startsWith('_') && /^_[./A-Za-z0-9]{8}/.test(hash),
    prepare(stored, { limits }) {
      const match = BSDI.exec(stored.hash);
      if (!match) throw malformed('bsdi-crypt', 'expected _ followed by 4 rounds, 4 salt and 11 checksum crypt64 characters');
      const rounds = decode24(match[1]!);
      if (rounds < 1) throw malformed('bsdi-crypt', 'zero rounds');
      requireWithin('bsdi-crypt', 'rounds', rounds, limits.cryptRounds);
      return {
        params: { rounds },
        // passlib and libc refuse a NUL in the password: such a password never matches.
        verify: async (password, runInWorker) => (await compute(password.bytes, stored.hash, runInWorker)) && !password.bytes.includes(0),
      };
    },
  };
}

/** Four crypt64 characters, little-endian (the first holds the low 6 bits). */
function decode24(text: string): number {
  let value = 0;
  for (let i = 3; i >= 0; i--) value = value * 64 + CRYPT64.indexOf(text[i]!);
  return value;
}
