import assert from 'node:assert/strict';
import type { EventError } from '../../src/events/index.js';

/** Runs `fn`, which must throw an EventError of `code`; returns it so a test can look at its issues. */
export function expectEventError(fn: () => unknown, code: string): EventError {
  try {
    fn();
  } catch (error) {
    assert.equal((error as EventError).code, code);
    return error as EventError;
  }
  assert.fail('expected an EventError');
}
