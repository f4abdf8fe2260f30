import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FingerprintSet } from '../../src/bulk/fingerprint-set.js';

describe('FingerprintSet', () => {
  test('adds once, finds what was added, and nothing else — across many growths', () => {
    const set = new FingerprintSet();
    for (let i = 0; i < 50_000; i++) assert.equal(set.add(`user${i}@example.com`), true);
    assert.equal(set.size, 50_000);
    for (let i = 0; i < 50_000; i += 997) {
      assert.equal(set.has(`user${i}@example.com`), true);
      assert.equal(set.add(`user${i}@example.com`), false);
    }
    for (let i = 50_000; i < 60_000; i++) assert.equal(set.has(`user${i}@example.com`), false, `user${i}`);
    assert.equal(set.size, 50_000);
  });

  test('the empty string, long and non-ASCII strings are members like any other', () => {
    const set = new FingerprintSet();
    for (const value of ['', 'x'.repeat(100_000), 'zoë@exämple.com', 'zoe@example.com', '\u0000']) assert.equal(set.add(value), true, JSON.stringify(value.slice(0, 20)));
    assert.equal(set.has('zoë@exämple.com'), true);
    assert.equal(set.has('zoë@exämple.co'), false);
    assert.equal(set.add(''), false);
  });
});
