import { decodeAb64, decodeBase64Unpadded } from '../encodings.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';
import { pbkdf2Matches } from './pbkdf2-compute.js';

const SHAPE = /^\$pbkdf2(-sha256|-sha512)?\$([1-9]\d{0,9})\$([./A-Za-z0-9]*)\$([./A-Za-z0-9]+)$/;
/** The PHC form (Auth0 exports, @phc/pbkdf2): `$pbkdf2-sha256$i=<iterations>,l=<key length>$<b64 salt>$<b64 key>`. */
const PHC = /^\$pbkdf2-(sha1|sha256|sha512)\$i=([1-9]\d{0,9}),l=([1-9]\d{0,2})\$([A-Za-z0-9+/]*)\$([A-Za-z0-9+/]+)$/;
const DIGESTS = { '': 'sha1', '-sha256': 'sha256', '-sha512': 'sha512' } as const;

/** passlib's PHC-like `$pbkdf2-sha256$<rounds>$<ab64 salt>$<ab64 key>`, and `$pbkdf2-sha512$`, `$pbkdf2$` (SHA-1). */
export const passlibPbkdf2: HashFormat = {
  id: 'passlib-pbkdf2',
  origin: 'passlib pbkdf2_sha1/pbkdf2_sha256/pbkdf2_sha512 (Python apps, Ansible, Splunk); the PHC form (Auth0 exports)',
  matches: (hash) => /^\$pbkdf2(-sha256|-sha512)?\$/.test(hash),
  prepare(stored, { limits }) {
    const phc = PHC.exec(stored.hash);
    if (phc) {
      const [, digest, rounds, length, salt, key] = phc;
      const iterations = Number(rounds);
      const expected = decodeBase64Unpadded(key!);
      const saltBytes = decodeBase64Unpadded(salt!);
      if (!expected || !saltBytes) throw malformed('PHC pbkdf2', 'the salt or key is not unpadded base64');
      if (expected.length !== Number(length) || expected.length < 16) throw malformed('PHC pbkdf2', 'the key length is out of range or not l=');
      requireWithin('PHC pbkdf2', 'iterations', iterations, limits.pbkdf2Iterations);
      return { params: { digest, iterations }, verify: (password) => pbkdf2Matches(password.bytes, saltBytes, iterations, digest!, expected) };
    }
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
      verify: (password) => pbkdf2Matches(password.bytes, salt, iterations, digest, expected),
    };
  },
};
