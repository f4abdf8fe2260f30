import { createHmac } from 'node:crypto';
import { encodeTransposed } from './transposed-base64.js';

const OFFSETS = [2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9, 14, 13, 12, 17, 16, 15, 0, 19, 18];

/**
 * NetBSD's `$sha1$` checksum (passlib `sha1_crypt`): `rounds` HMAC-SHA1s keyed with the password, the first over
 * `message` (`<salt>$sha1$<rounds>`), each next over the previous digest; encoded as 28 crypt64 characters.
 * Hundreds of thousands of HMACs: run in the worker pool (tasks.ts).
 *
 * @example
 *   sha1Crypt(Buffer.from('password'), Buffer.from('c.mcTzCw$sha1$10'), 10) // 'gF8UeYst9yXX7WNZKc5Fjkq0.au7'
 */
export function sha1Crypt(password: Uint8Array, message: Uint8Array, rounds: number): string {
  let digest: Buffer = Buffer.from(message);
  for (let i = 0; i < rounds; i++) digest = createHmac('sha1', password).update(digest).digest();
  return encodeTransposed(digest, OFFSETS);
}
