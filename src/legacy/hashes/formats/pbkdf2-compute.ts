import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { constantTimeEqual } from '../compare.js';

const pbkdf2Async = promisify(pbkdf2);

/** PBKDF2 on libuv's pool (node:crypto async), compared in constant time with the stored key. */
export async function pbkdf2Matches(password: string | Buffer, salt: Buffer, iterations: number, digest: string, expected: Buffer): Promise<boolean> {
  const derived = await pbkdf2Async(password, salt, iterations, expected.length, digest);
  return constantTimeEqual(derived, expected);
}
