import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { constantTimeEqual } from '../compare.js';

/** PBKDF2 on libuv's pool (node:crypto async). */
export const pbkdf2Derive = promisify(pbkdf2);

/** PBKDF2 of the password compared in constant time with the stored key (its length sets the output length). */
export async function pbkdf2Matches(password: string | Buffer, salt: Buffer, iterations: number, digest: string, expected: Buffer): Promise<boolean> {
  const derived = await pbkdf2Derive(password, salt, iterations, expected.length, digest);
  return constantTimeEqual(derived, expected);
}
