import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';
import { BCRYPT_STAND_IN } from '../../stand-in.js';

/**
 * What a disabled password looks like, by its start: `!` and `*` alone or before anything (a locked /etc/shadow
 * account keeps its hash behind `!`, BSDs behind `*`; `*LK*` and `*NP*` on Solaris; `!!` where none was ever set;
 * Django's unusable password is `!` and 40 random characters).
 */
const KINDS: ReadonlyArray<[RegExp, string]> = [
  [/^[!*]{1,2}$/, 'marker'],
  [/^\*(LK|NP)\*$/, 'marker'],
  [/^![A-Za-z0-9]{40}$/, 'django-unusable'],
  [/^[!*]/, 'locked'],
];

/**
 * `*` and hex digits only is MySQL 4.1's shape: with 40 digits its hash (recognised before this), with any other
 * number a damaged one, reported as malformed or unknown, never quietly taken for a lock.
 */
const MYSQL41_LIKE = /^\*[0-9A-Fa-f]+$/;

/**
 * `disabled`: an account that cannot sign in with a password (passlib `unix_disabled`, Django's unusable
 * password). prepare() succeeds and verify() answers false for every password, as a wrong password is answered.
 * Whatever follows the marker is never parsed nor used: a locked account stays locked.
 *
 * `neverMatches` tells the verifier, which answers such a row at the cost of its current stand-in (the store's most
 * common kind of hash), as for an unknown user, and leaves it out of its cost profile: a disabled account answers no
 * faster than a real one, and a table of mostly disabled rows does not make every stand-in this format's. Verified
 * directly, without the verifier, it costs a bcrypt cost-10 check.
 *
 * @example
 *   disabled.prepare({ hash: '!$6$…' }, context).params // { kind: 'locked' }
 */
export const disabled: HashFormat = {
  id: 'disabled',
  origin: 'locked /etc/shadow accounts (! and *), Solaris *LK* / *NP*, Django unusable passwords (passlib unix_disabled)',
  matches: (hash) => /^[!*]/.test(hash) && !MYSQL41_LIKE.test(hash),
  prepare(stored, { nested }) {
    const kind = MYSQL41_LIKE.test(stored.hash) ? undefined : KINDS.find(([shape]) => shape.test(stored.hash))?.[1];
    if (kind === undefined) throw malformed('disabled', 'expected ! or * alone or before a hash (* and hex digits only is a MySQL 4.1 hash)');
    const standIn = nested(BCRYPT_STAND_IN.hash);
    return {
      params: { kind },
      neverMatches: true,
      async verify(password, runInWorker) {
        await standIn.verify(password, runInWorker);
        return false;
      },
    };
  },
};
