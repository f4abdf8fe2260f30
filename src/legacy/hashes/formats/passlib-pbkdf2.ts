import { decodeAb64 } from '../encodings.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';
import { pbkdf2Matches } from './pbkdf2-compute.js';

const SHAPE = /^\$pbkdf2(-sha256|-sha512)?\$(\d{1,10})\$([./A-Za-z0-9]*)\$([./A-Za-z0-9]+)$/;
const DIGESTS = { '': 'sha1', '-sha256': 'sha256', '-sha512': 'sha512' } as const;

/** passlib's PHC-like `$pbkdf2-sha256$<rounds>$<ab64 salt>$<ab64 key>`, and `$pbkdf2-sha512$`, `$pbkdf2$` (SHA-1). */
export const passlibPbkdf2: HashFormat = {
  id: 'passlib-pbkdf2',
  origin: 'passlib pbkdf2_sha1/pbkdf2_sha256/pbkdf2_sha512 (Python apps, Ansible, Splunk)',
  matches: (hash) => /^\$pbkdf2(-sha256|-sha512)?\$/.test(hash),
  prepare(stored, limits) {
    const match = SHAPE.exec(stored.hash);
    if (!match) throw malformed('passlib pbkdf2', 'expected $pbkdf2-sha256$<rounds>$<salt>$<key> in adapted base64');
    const digest = DIGESTS[(match[1] ?? '') as keyof typeof DIGESTS];
    const iterations = Number(match[2]);
    const salt = decodeAb64(match[3]!);
    const expected = decodeAb64(match[4]!);
    if (iterations < 1) throw malformed('passlib pbkdf2', 'rounds must be at least 1');
    if (!salt || !expected || expected.length < 16) throw malformed('passlib pbkdf2', 'salt or key is not adapted base64 of the right length');
    requireWithin('passlib pbkdf2', 'rounds', iterations, limits.pbkdf2Iterations);
    return {
      params: { digest, iterations },
      verify: (password) => pbkdf2Matches(password, salt, iterations, digest, expected),
    };
  },
};
