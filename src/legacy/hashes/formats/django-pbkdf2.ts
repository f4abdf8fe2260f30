import { decodeBase64 } from '../encodings.js';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';
import { pbkdf2Matches } from './pbkdf2-compute.js';

const SHAPE = /^pbkdf2_(sha256|sha1)\$(\d{1,10})\$([^$]*)\$([A-Za-z0-9+/=]+)$/;

/** Django's `pbkdf2_sha256$<iterations>$<salt>$<base64 key>` (its default hasher) and `pbkdf2_sha1$…`. */
export const djangoPbkdf2: HashFormat = {
  id: 'django-pbkdf2',
  origin: 'Django PBKDF2PasswordHasher (default since 1.4) and PBKDF2SHA1PasswordHasher',
  matches: (hash) => /^pbkdf2_(sha256|sha1)\$/.test(hash),
  prepare(stored, { limits }) {
    const match = SHAPE.exec(stored.hash);
    if (!match) throw malformed('Django pbkdf2', 'expected pbkdf2_sha256$<iterations>$<salt>$<base64 key>');
    const [, digest, rounds, salt, encoded] = match;
    const iterations = Number(rounds);
    const expected = decodeBase64(encoded!);
    if (iterations < 1) throw malformed('Django pbkdf2', 'iterations must be at least 1');
    if (!expected || expected.length < 16) throw malformed('Django pbkdf2', 'the key is not base64 of at least 16 bytes');
    requireWithin('Django pbkdf2', 'iterations', iterations, limits.pbkdf2Iterations);
    return {
      params: { digest, iterations },
      verify: (password) => pbkdf2Matches(password.bytes, Buffer.from(salt!, 'utf8'), iterations, digest!, expected),
    };
  },
};
