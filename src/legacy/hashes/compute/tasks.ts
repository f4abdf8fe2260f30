import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../compare.js';
import { bcrypt2x } from './bcrypt-2x.js';
import { bsdiCrypt, desCrypt } from './des-crypt.js';
import { md5Crypt } from './md5-crypt.js';
import { phpass } from './phpass.js';
import { sha1Crypt } from './sha1-crypt.js';
import { shaCrypt } from './sha-crypt.js';
import { sunMd5Crypt } from './sun-md5-crypt.js';

/**
 * Work run in the worker pool: formats computed in JavaScript with thousands of sequential hash calls, which would
 * hold the event loop for milliseconds each. The task carries the expected encoded digest and the answer is only
 * a boolean, so no derived secret travels back.
 */
export type ComputeTask =
  | { kind: 'sha-crypt'; variant: 'sha256' | 'sha512'; password: Uint8Array; salt: string; rounds: number | undefined; expected: string }
  | { kind: 'md5-crypt'; magic: '$1$' | '$apr1$'; password: Uint8Array; salt: string; expected: string }
  | { kind: 'phpass'; algorithm: 'md5' | 'sha512'; password: Uint8Array; salt: string; log2: number; expected: string }
  | { kind: 'des-crypt'; password: Uint8Array; expected: string }
  | { kind: 'bsdi-crypt'; password: Uint8Array; expected: string }
  | { kind: 'sha1-crypt'; password: Uint8Array; message: Uint8Array; rounds: number; expected: string }
  | { kind: 'sun-md5-crypt'; password: Uint8Array; config: Uint8Array; rounds: number; expected: string }
  | { kind: 'bcrypt-2x'; password: Uint8Array; cost: number; salt: string; expected: string }
  /** d = H(first), then `rounds` − 1 times d = H(d ‖ repeat): Symfony's MessageDigest, Spring's StandardPasswordEncoder. */
  | { kind: 'iterated-digest'; algorithm: string; first: Uint8Array; repeat: Uint8Array; rounds: number; expected: Uint8Array };

export function runComputeTask(task: ComputeTask): boolean {
  if (task.kind === 'iterated-digest') {
    let digest = createHash(task.algorithm).update(task.first).digest();
    for (let i = 1; i < task.rounds; i++) digest = createHash(task.algorithm).update(digest).update(task.repeat).digest();
    return constantTimeEqual(digest, task.expected);
  }
  const password = Buffer.from(task.password);
  let digest: string;
  switch (task.kind) {
    case 'sha-crypt':
      digest = shaCrypt(task.variant, password, task.salt, task.rounds);
      break;
    case 'md5-crypt':
      digest = md5Crypt(task.magic, password, task.salt);
      break;
    case 'bcrypt-2x':
      digest = bcrypt2x(password, task.cost, task.salt);
      break;
    case 'des-crypt':
      digest = desCrypt(password, task.expected.slice(0, 2));
      break;
    case 'bsdi-crypt':
      digest = bsdiCrypt(password, task.expected.slice(0, 9));
      break;
    case 'sha1-crypt':
      digest = sha1Crypt(password, task.message, task.rounds);
      break;
    case 'sun-md5-crypt':
      digest = sunMd5Crypt(password, task.config, task.rounds);
      break;
    case 'phpass':
      digest = phpass(task.algorithm, password, task.salt, task.log2).slice(0, task.expected.length);
      break;
  }
  return constantTimeEqual(Buffer.from(digest, 'latin1'), Buffer.from(task.expected, 'latin1'));
}
