import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RANDOM_PASSWORD_LENGTH, randomPassword } from '../../src/bulk/random-password.js';
import { policyViolationOf } from '../../src/jit/index.js';

test('every random password meets the External ID policy, whatever the draw', () => {
  for (let i = 0; i < 5000; i++) {
    const password = randomPassword();
    assert.equal(password.length, RANDOM_PASSWORD_LENGTH);
    assert.equal(policyViolationOf(password), null, `draw ${i} fails the policy`);
  }
});

test('the shortest allowed password still has all four classes', () => {
  for (let i = 0; i < 2000; i++) {
    const password = randomPassword(8);
    assert.match(password, /[a-z]/);
    assert.match(password, /[A-Z]/);
    assert.match(password, /[0-9]/);
    assert.match(password, /[^a-zA-Z0-9]/);
  }
});

test('passwords do not repeat', () => {
  const seen = new Set(Array.from({ length: 10_000 }, () => randomPassword()));
  assert.equal(seen.size, 10_000);
});

test('lengths outside 8–256 are refused', () => {
  for (const length of [0, 7, 257, 1.5, Number.NaN]) assert.throws(() => randomPassword(length), RangeError);
  assert.equal(randomPassword(256).length, 256);
});
