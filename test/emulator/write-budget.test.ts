import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createWriteBudget } from '../../src/emulator/graph/write-budget.js';

describe('emulated Graph write budget (sliding window)', () => {
  test('admits perApp writes per window, then says how long until the oldest leaves it', () => {
    const budget = createWriteBudget({ perApp: 3, perTenant: 100, windowInMs: 10_000 });
    assert.deepEqual([0, 1000, 2000].map((at) => budget.admit('a', at).ok), [true, true, true]);
    assert.deepEqual(budget.admit('a', 2500), { ok: false, retryAfterInSeconds: 8, usage: 1 });
    assert.deepEqual(budget.admit('a', 9999), { ok: false, retryAfterInSeconds: 1, usage: 1 });
    assert.equal(budget.admit('a', 10_000).ok, true, 'the write at 0 has left the window');
    assert.equal(budget.admit('a', 10_001).ok, false);
    assert.equal(budget.admit('a', 11_000).ok, true);
  });

  test('the tenant budget binds all apps together; a refused write is not counted', () => {
    const budget = createWriteBudget({ perApp: 10, perTenant: 4, windowInMs: 10_000 });
    assert.deepEqual(['a', 'b', 'a', 'c'].map((app, i) => budget.admit(app, i).ok), [true, true, true, true]);
    assert.equal(budget.admit('d', 5).ok, false);
    for (let i = 0; i < 100; i++) assert.equal(budget.admit('a', 6).ok, false);
    assert.equal(budget.admit('d', 10_000).ok, true, 'one slot freed at 10,000');
    assert.equal(budget.admit('d', 10_000).ok, false);
  });

  test('each admission says how much of the tighter limit is in use, for x-ms-throttle-limit-percentage', () => {
    const budget = createWriteBudget({ perApp: 10, perTenant: 16, windowInMs: 10_000 });
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((at) => budget.admit('a', at)), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((usage) => ({ ok: true, usage })));
    assert.deepEqual(budget.admit('b', 9), { ok: true, usage: 9 / 16 }, 'app b alone is far from its limit, the tenant less so');
    assert.equal(budget.admit('a', 10).usage, 0.9);
    assert.equal(budget.admit('a', 10_002).usage, 0.8, 'the writes at 1 and 2 have left the window: 7 of 9 remain, and this one');
  });

  test('long runs keep exact counts through the ring buffer wrapping many times', () => {
    const budget = createWriteBudget({ perApp: 7, perTenant: 1000, windowInMs: 1000 });
    let admitted = 0;
    for (let at = 0; at < 100_000; at += 10) if (budget.admit('a', at).ok) admitted++;
    assert.equal(admitted, 700, '7 per second for 100 s');
  });
});
