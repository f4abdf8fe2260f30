import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { duration, progressLine } from '../../src/cli/progress-line.js';

describe('progress line', () => {
  test('with a total: bar, percentage, counts, rate, ETA from the rate, throttled and failed', () => {
    assert.equal(
      progressLine({ done: 500, total: 1000, elapsedInMs: 25_000, ratePerSecond: 18, throttled: 2, failed: 1 }),
      '[############------------]  50%  500/1,000 · 18.0/s · ETA 28s · throttled 2 · failed 1',
    );
  });

  test('finished, idle at the start, and a total the count has outgrown (an estimate)', () => {
    assert.match(progressLine({ done: 1000, total: 1000, elapsedInMs: 1, ratePerSecond: 18, throttled: 0, failed: 0 }), /^\[#{24}\] 100% {2}1,000\/1,000 .* ETA 0s/);
    assert.match(progressLine({ done: 0, total: 1000, elapsedInMs: 0, ratePerSecond: 0, throttled: 0, failed: 0 }), /^\[-{24}\] {3}0% .*ETA –/);
    assert.match(progressLine({ done: 1200, total: 1000, elapsedInMs: 1, ratePerSecond: 1, throttled: 0, failed: 0 }), /1,200\/1,200/);
  });

  test('without a total: the count and the time so far', () => {
    assert.equal(progressLine({ done: 42, total: null, elapsedInMs: 65_000, ratePerSecond: 0.6, throttled: 0, failed: 0 }), '42 done · 0.6/s · 1m05s · throttled 0 · failed 0');
  });

  test('durations', () => {
    assert.deepEqual([0, 59_400, 60_000, 3_599_000, 3_600_000, 90_000_000].map(duration), ['0s', '59s', '1m00s', '59m59s', '1h00m', '25h00m']);
  });
});
