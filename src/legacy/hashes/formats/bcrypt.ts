import { verify as bcryptVerify } from '@node-rs/bcrypt';
import { malformed } from '../errors.js';
import type { HashFormat } from '../format.js';
import { requireWithin } from '../limits.js';

const SHAPE = /^\$2([aby])\$(\d{2})\$[./A-Za-z0-9]{53}$/;

/**
 * bcrypt `$2a$`, `$2b$`, `$2y$` (OpenBSD; PHP writes `$2y$`). Verified natively by @node-rs/bcrypt on libuv's pool;
 * it accepts `$2y$`, which the `bcrypt` package rejects. Like every bcrypt, only the first 72 bytes of the password
 * count. `$2x$` (PHP's buggy pre-5.3.7 variant) differs for 8-bit characters and is not accepted here.
 */
export const bcrypt: HashFormat = {
  id: 'bcrypt',
  origin: 'OpenBSD bcrypt; PHP password_hash, Spring, Devise, Laravel, most Node/Python/Ruby apps',
  matches: (hash) => /^\$2[aby]\$/.test(hash),
  prepare(stored, { limits }) {
    const match = SHAPE.exec(stored.hash);
    if (!match) throw malformed('bcrypt', 'expected $2b$<two-digit cost>$ followed by 53 characters of bcrypt base64');
    const cost = Number(match[2]);
    if (cost < 4) throw malformed('bcrypt', `cost ${cost} is below bcrypt's minimum of 4`);
    requireWithin('bcrypt', 'cost', cost, limits.bcryptCost);
    return {
      params: { variant: `2${match[1]}`, cost },
      verify: (password) => bcryptVerify(password.bytes, stored.hash),
    };
  },
};
