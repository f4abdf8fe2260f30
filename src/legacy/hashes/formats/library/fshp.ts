import { decodeBase64 } from '../../encodings.js';
import { malformed } from '../../errors.js';
import type { HashFormat } from '../../format.js';
import { requireWithin } from '../../limits.js';

/** passlib reads the three numbers with int(), so leading zeros are accepted here too. */
const SHAPE = /^\{FSHP(\d{1,3})\|(\d{1,5})\|(\d{1,10})\}([A-Za-z0-9+/]+={0,2})$/;
const VARIANTS: ReadonlyArray<readonly [string, number]> = [
  ['sha1', 20],
  ['sha256', 32],
  ['sha384', 48],
  ['sha512', 64],
];

/**
 * FSHP, the Fairly Secure Hashed Password scheme of Berk D. Demir (passlib `fshp`):
 * `{FSHP<variant>|<salt bytes>|<rounds>}<base64(salt ‖ key)>`, the key PBKDF1 with salt and password swapped —
 * H(salt ‖ password), then H of the digest `rounds` − 1 more times (variant 0–3: SHA-1, SHA-256, SHA-384,
 * SHA-512). Computed in the worker pool; rounds are capped like crypt rounds.
 *
 * @example
 *   '{FSHP1|8|4096}6D3HeC+l9J5Tp2fcbxFYQa47RIwmqBQK8RrUCWn8rlfInQukFCG8Rw=='  // "password"
 */
export const fshp: HashFormat = {
  id: 'fshp',
  origin: 'FSHP (Fairly Secure Hashed Password; Python, PHP, Ruby and Perl implementations)',
  matches: (hash) => hash.startsWith('{FSHP'),
  prepare(stored, { limits }) {
    const match = SHAPE.exec(stored.hash);
    if (!match) throw malformed('FSHP', 'expected {FSHP<variant>|<salt size>|<rounds>}<base64>');
    const variant = VARIANTS[Number(match[1])];
    const saltSize = Number(match[2]);
    const rounds = Number(match[3]);
    const data = match[4]!.length % 4 === 0 ? decodeBase64(match[4]!) : null;
    if (!variant) throw malformed('FSHP', 'the variant must be 0 (SHA-1), 1 (SHA-256), 2 (SHA-384) or 3 (SHA-512)');
    if (rounds < 1) throw malformed('FSHP', 'rounds must be at least 1');
    if (!data || data.length !== saltSize + variant[1]) throw malformed('FSHP', `the data must be padded base64 of the salt and a ${variant[1]}-byte digest`);
    requireWithin('FSHP', 'rounds', rounds, limits.cryptRounds);
    const [algorithm] = variant;
    const salt = data.subarray(0, saltSize);
    const expected = data.subarray(saltSize);
    return {
      params: { algorithm, rounds, saltBytes: saltSize },
      verify: (password, runInWorker) =>
        runInWorker({ kind: 'iterated-digest', algorithm, first: Buffer.concat([salt, password.bytes]), repeat: Buffer.alloc(0), rounds, expected }),
    };
  },
};
