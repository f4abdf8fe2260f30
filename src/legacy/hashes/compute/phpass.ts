import { createHash } from 'node:crypto';

export const PHPASS_ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * phpass portable hashes: `$P$`/`$H$` (WordPress ≤ 6.7, phpBB3; MD5) and Drupal 7's `$S$` (SHA-512), which is
 * `2^log2` rounds of digest(previous ‖ password) over digest(salt ‖ password). Returns the encoded digest as the
 * stored string carries it (Drupal keeps 55 characters in all, so 43 of the 86).
 */
export function phpass(algorithm: 'md5' | 'sha512', password: Buffer, salt: string, log2: number): string {
  let hash = createHash(algorithm).update(salt, 'latin1').update(password).digest();
  for (let count = 2 ** log2; count > 0; count--) hash = createHash(algorithm).update(hash).update(password).digest();
  return encode64(hash);
}

function encode64(input: Buffer): string {
  let out = '';
  let i = 0;
  const count = input.length;
  do {
    let value = input[i++]!;
    out += PHPASS_ITOA64[value & 0x3f];
    if (i < count) value |= input[i]! << 8;
    out += PHPASS_ITOA64[(value >> 6) & 0x3f];
    if (i++ >= count) break;
    if (i < count) value |= input[i]! << 16;
    out += PHPASS_ITOA64[(value >> 12) & 0x3f];
    if (i++ >= count) break;
    out += PHPASS_ITOA64[(value >> 18) & 0x3f];
  } while (i < count);
  return out;
}
