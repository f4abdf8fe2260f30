import { constantTimeEqual } from '../../compare.js';
import { decodeAb64 } from '../../encodings.js';
import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';
import { requireWithin } from '../../limits.js';
import { pbkdf2Derive } from '../pbkdf2-compute.js';
import { saslprep } from './saslprep.js';

const SHAPE = /^\$scram\$([1-9]\d{0,9})\$([./A-Za-z0-9]*)\$([a-z0-9=,./A-Za-z-]+)$/;
/** The digests passlib knows by their IANA names, with the node:crypto name and length of each. */
const DIGESTS: ReadonlyMap<string, readonly [string, number]> = new Map([
  ['sha-1', ['sha1', 20]],
  ['sha-224', ['sha224', 28]],
  ['sha-256', ['sha256', 32]],
  ['sha-384', ['sha384', 48]],
  ['sha-512', ['sha512', 64]],
]);
/** passlib verifies against the first of these the hash holds. */
const PREFERENCE = ['sha-256', 'sha-512', 'sha-224', 'sha-384', 'sha-1'];

/**
 * passlib's `scram` (`$scram$<rounds>$<salt>$sha-1=<key>,sha-256=<key>,…`): the SCRAM SaltedPassword —
 * PBKDF2-HMAC of the SASLprep'd password — for each listed digest, in adapted base64. Like passlib, one digest is
 * checked: SHA-256 when present, else SHA-512, SHA-224, SHA-384, then SHA-1 (which every hash must hold).
 *
 * @example
 *   // "password", 1,000 rounds: SHA-256 is checked
 *   '$scram$1000$ECIEgHDOuTcmpJTy$sha-1=SYTcOoUF3PAJyck2A9TdNNY5MZI,sha-256=.qguuQAp6KSyTo1mgOuGkAp9uz5xCI8AQXhzUYpGEcA,sha-512=wKe63/cTGrvjgXH4mHRqGN5KaAvvD2Ibqh8WyA5AE/GZcA3OIYJw1o/Jm.GWtnKtMHwoSbFkMBOr0St/H8s/Pw'
 */
export const passlibScram: HashFormat = {
  id: 'passlib-scram',
  origin: 'passlib scram (SCRAM SaltedPassword per digest, for SCRAM servers)',
  matches: (hash) => hash.startsWith('$scram$'),
  prepare(stored, { limits }) {
    const match = SHAPE.exec(stored.hash);
    const salt = match && decodeAb64(match[2]!);
    if (!match || !salt) throw malformed('passlib scram', 'expected $scram$<rounds>$<salt>$sha-1=<key>[,<digest>=<key>…] in adapted base64');
    const keys = new Map<string, Buffer>();
    for (const pair of match[3]!.split(',')) {
      const [name, encoded, extra] = pair.split('=');
      const digest = DIGESTS.get(name!);
      const key = encoded === undefined ? null : decodeAb64(encoded);
      if (!digest || extra !== undefined || keys.has(name!) || !key || key.length !== digest[1]) {
        throw malformed('passlib scram', 'each digest must be sha-1, sha-224, sha-256, sha-384 or sha-512, once, with a key of its length');
      }
      keys.set(name!, key);
    }
    if (!keys.has('sha-1')) throw malformed('passlib scram', 'the sha-1 digest is missing');
    const iterations = Number(match[1]);
    requireWithin('passlib scram', 'rounds', iterations, limits.pbkdf2Iterations);
    const chosen = PREFERENCE.find((name) => keys.has(name))!;
    const [algorithm, length] = DIGESTS.get(chosen)!;
    const expected = keys.get(chosen)!;
    return {
      params: { digests: [...keys.keys()], iterations },
      verify: async (password) => {
        const prepared = saslprep(password.text);
        if (prepared === null) return false;
        return constantTimeEqual(await pbkdf2Derive(Buffer.from(prepared, 'utf8'), salt, iterations, length, algorithm), expected);
      },
    };
  },
};
