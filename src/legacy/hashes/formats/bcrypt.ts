import { verify as bcryptVerify } from '@node-rs/bcrypt';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';

const SHAPE = /^\$2([abxy]?)\$(\d{2})\$[./A-Za-z0-9]{53}$/;

/**
 * bcrypt `$2a$`, `$2b$`, `$2y$` (OpenBSD; PHP writes `$2y$`). Verified natively by @node-rs/bcrypt on libuv's pool;
 * it accepts `$2y$`, which the `bcrypt` package rejects. Like every bcrypt, only the first 72 bytes of the password
 * count. `$2x$` (crypt_blowfish's deliberately buggy mode for hashes made by PHP before 5.3.7) sign-extends 8-bit
 * characters: for 7-bit passwords it equals `$2a$` and is checked natively; for others it is computed in the worker
 * pool by our own bcrypt (compute/bcrypt-2x.ts), since no native library has the mode. The original OpenBSD `$2$`
 * (before 1997's `$2a$`) left the terminating NUL out of the key, so the key schedule cycles the bare password: it
 * is checked as `$2b$` over the password repeated to 72 bytes, as passlib does (passlib `bcrypt`, ident `$2$`).
 */
export const bcrypt: HashFormat = {
  id: 'bcrypt',
  origin: 'OpenBSD bcrypt; PHP password_hash, Spring, Devise, Laravel, most Node/Python/Ruby apps',
  matches: (hash) => /^\$2[abxy]?\$/.test(hash),
  prepare(stored, { limits }) {
    const match = SHAPE.exec(stored.hash);
    if (!match) throw malformed('bcrypt', 'expected $2b$<two-digit cost>$ followed by 53 characters of bcrypt base64');
    const cost = Number(match[2]);
    if (cost < 4) throw malformed('bcrypt', `cost ${cost} is below bcrypt's minimum of 4`);
    requireWithin('bcrypt', 'cost', cost, limits.bcryptCost);
    if (match[1] === '') {
      const asB = `$2b$${stored.hash.slice(3)}`;
      return { params: { variant: '2', cost }, verify: (password) => bcryptVerify(repeatTo72(password.bytes), asB) };
    }
    if (match[1] === 'x') {
      const asSafe = `$2a$${stored.hash.slice(4)}`;
      return {
        params: { variant: '2x', cost },
        verify: (password, runInWorker) =>
          password.bytes.some((byte) => byte >= 0x80)
            ? runInWorker({ kind: 'bcrypt-2x', password: password.bytes, cost, salt: stored.hash.slice(7, 29), expected: stored.hash.slice(29) })
            : bcryptVerify(password.bytes, asSafe),
      };
    }
    return {
      params: { variant: `2${match[1]}`, cost },
      verify: (password) => bcryptVerify(password.bytes, stored.hash),
    };
  },
};

/** The password cycled to bcrypt's 72 key bytes (an empty one stays empty, as in passlib). */
function repeatTo72(password: Buffer): Buffer {
  if (password.length === 0) return password;
  const key = Buffer.alloc(72);
  for (let i = 0; i < 72; i++) key[i] = password[i % password.length]!;
  return key;
}
