import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffInMs, createPacer, retryAfterInMs } from '../../src/graph/index.js';

/** A virtual clock: sleeping advances time instantly, so pacing is tested exactly and without waiting. */
function virtualTime(start = 1_000_000) {
  let time = start;
  return { now: () => time, sleep: async (ms: number) => void (time += ms), elapsed: () => time - start };
}

describe('pacer', () => {
  test('holds a sustained rate to its budget', async () => {
    const clock = virtualTime();
    const pacer = createPacer({ ratePerSecond: 18, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 50; i++) await pacer.acquire(20); // 50 full $batch requests = 1000 writes
    const achieved = 1000 / (clock.elapsed() / 1000);
    assert.ok(achieved <= 18 * 1.02 && achieved >= 18 * 0.95, `achieved ${achieved.toFixed(2)}/s`);
  });

  test('a 429 pauses for Retry-After, halves the rate, and recovers toward the target', async () => {
    const clock = virtualTime();
    const pacer = createPacer({ ratePerSecond: 20, now: clock.now, sleep: clock.sleep });
    await pacer.acquire(20);
    pacer.throttled(5000);
    assert.equal(pacer.rate(), 10);
    const before = clock.elapsed();
    await pacer.acquire(1);
    assert.ok(clock.elapsed() - before >= 5000, 'nothing is sent before Retry-After');
    for (let i = 0; i < 200; i++) await pacer.acquire(5);
    assert.equal(pacer.rate(), 20, 'back at the target after sustained success');
  });

  test('repeated throttling never goes below the minimum, and requests keep their order', async () => {
    const clock = virtualTime();
    const pacer = createPacer({ ratePerSecond: 16, minRatePerSecond: 2, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 10; i++) pacer.throttled(0);
    assert.equal(pacer.rate(), 2);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => pacer.acquire(2).then(() => order.push(i))));
    assert.deepEqual(order, [0, 1, 2, 3]);
  });

  test('a rate of zero or less is refused', () => {
    assert.throws(() => createPacer({ ratePerSecond: 0 }), RangeError);
    assert.throws(() => createPacer({ ratePerSecond: -5 }), RangeError);
  });
});

describe('Retry-After and back-off', () => {
  const now = Date.UTC(2026, 10, 24, 12, 0, 0);
  test('delay-seconds and HTTP dates are read; garbage is ignored; values are capped', () => {
    assert.equal(retryAfterInMs('7', now), 7000);
    assert.equal(retryAfterInMs('0', now), 0);
    assert.equal(retryAfterInMs(new Date(now + 12_000).toUTCString(), now), 12_000);
    assert.equal(retryAfterInMs(new Date(now - 12_000).toUTCString(), now), 0);
    for (const header of [null, undefined, '', 'soon', '-5', '1.5', '12345678901']) assert.equal(retryAfterInMs(header, now), undefined, String(header));
    assert.equal(retryAfterInMs('99999', now), 300_000);
  });

  test('back-off grows exponentially under the cap, with full jitter', () => {
    assert.equal(backoffInMs(0, { random: () => 0.999 }), 499);
    assert.equal(backoffInMs(3, { random: () => 0.5 }), 2000);
    assert.equal(backoffInMs(20, { random: () => 0.999 }), 29_970);
    assert.equal(backoffInMs(5, { random: () => 0 }), 0);
  });
});
