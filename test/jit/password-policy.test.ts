import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyViolationOf } from '../../src/jit/index.js';

const table: Array<[string, ReturnType<typeof policyViolationOf>]> = [
  ['Tr0ub4dor&3', null],
  ['Passw0rd', null], // lower + upper + digit
  ['password1!', null], // lower + digit + symbol
  ['PASSWORD1!', null], // upper + digit + symbol
  ['pass word A', null], // blank space is a symbol
  ['Aa1!Aa1!', null], // exactly 8
  ['Aa1!Aa1', 'too-short'], // 7
  ['', 'too-short'],
  ['password', 'too-few-character-classes'],
  ['password123', 'too-few-character-classes'],
  ['PASSWORD!!', 'too-few-character-classes'],
  ['Pässw0rd!', 'character-not-allowed'], // Unicode characters are not allowed
  ['Passw0rd\u{1F600}', 'character-not-allowed'],
  ['Passw0rd\t', 'character-not-allowed'], // a tab is not blank space
  ['Aa1!' + 'x'.repeat(252), null], // exactly 256
  ['Aa1!' + 'x'.repeat(253), 'too-long'], // 257
];

for (const [password, expected] of table) {
  test(`policy: ${JSON.stringify(password.length > 20 ? `${password.slice(0, 12)}… (${password.length})` : password)} → ${expected ?? 'accepted'}`, () => {
    assert.equal(policyViolationOf(password), expected);
  });
}

test('policy: length counts characters, not UTF-16 units', () => {
  // Seven ASCII characters and an astral emoji: 8 characters but 9 UTF-16 units; refused for the emoji, not length.
  assert.equal(policyViolationOf('Aa1!Aa1\u{1F600}'), 'character-not-allowed');
  assert.equal(policyViolationOf('Aa1\u{1F600}'), 'too-short');
});
