import { shaCrypt } from './sha-crypt.js';
import { constantTimeEqual } from '../compare.js';

/**
 * Work run in the worker pool: formats computed in JavaScript with thousands of sequential hash calls, which would
 * hold the event loop for milliseconds each. The task carries the expected encoded hash and the answer is only a
 * boolean, so no derived secret travels back.
 */
export type ComputeTask = {
  kind: 'sha-crypt';
  variant: 'sha256' | 'sha512';
  password: string;
  salt: string;
  rounds: number | undefined;
  /** The stored hash's encoded digest. */
  expected: string;
};

export function runComputeTask(task: ComputeTask): boolean {
  switch (task.kind) {
    case 'sha-crypt': {
      const digest = shaCrypt(task.variant, Buffer.from(task.password, 'utf8'), task.salt, task.rounds);
      return constantTimeEqual(Buffer.from(digest, 'latin1'), Buffer.from(task.expected, 'latin1'));
    }
  }
}
