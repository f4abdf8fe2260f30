import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffInMs, createPacer, retryAfterInMs } from '../../src/graph/index.js';

/** A virtual clock for one caller at a time: sleeping advances time instantly, so pacing is tested exactly. */
function virtualClock(start = 1_000_000) {
  let time = start;
  return { now: () => time, sleep: async (ms: number) => void (time += ms), elapsed: () => time - start, advance: (ms: number) => void (time += ms) };
}

describe('pacer', () => {
  test('holds a sustained rate to its budget', async () => {
    const clock = virtualClock();
    const pacer = createPacer({ ratePerSecond: 18, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 50; i++) await pacer.acquire(20); // 50 full $batch requests = 1000 writes
    const achieved = 1000 / (clock.elapsed() / 1000);
    assert.ok(achieved <= 18 * 1.02 && achieved >= 18 * 0.95, `achieved ${achieved.toFixed(2)}/s`);
  });

  test('a throttled round trip pauses for Retry-After and cuts the rate to 70 %, once, however many answers say so', async () => {
    const clock = virtualClock();
    const pacer = createPacer({ ratePerSecond: 20, now: clock.now, sleep: clock.sleep });
    // Four batches in flight together, all answered 429: one congestion event.
    const trips = [];
    for (let i = 0; i < 4; i++) trips.push(await pacer.acquire(5));
    for (const trip of trips) pacer.settle(trip, { throttled: true, retryAfterInMs: 5000 });
    assert.equal(pacer.rate(), 14);
    const before = clock.elapsed();
    await pacer.acquire(1);
    assert.ok(clock.elapsed() - before >= 5000, 'nothing is sent before Retry-After');
  });

  test('a round trip begun after the cut, once the budget had time to refill, is a new congestion event', async () => {
    const clock = virtualClock();
    const pacer = createPacer({ ratePerSecond: 20, now: clock.now, sleep: clock.sleep });
    pacer.settle(await pacer.acquire(5), { throttled: true, retryAfterInMs: 1000 });
    assert.equal(pacer.rate(), 14);
    // Begun within a quiet second of the pause's end: Graph's budget is still refilling, the same event.
    const early = await pacer.acquire(5);
    pacer.settle(early, { throttled: true, retryAfterInMs: 1000 });
    assert.equal(pacer.rate(), 14);
    clock.advance(1500);
    const late = await pacer.acquire(5);
    pacer.settle(late, { throttled: true, retryAfterInMs: 1000 });
    assert.equal(pacer.rate(), 14 * 0.7);
  });

  test('recovers quickly to the rate that worked, then probes above it slowly, up to the target', async () => {
    const clock = virtualClock();
    const pacer = createPacer({ ratePerSecond: 40, now: clock.now, sleep: clock.sleep });
    pacer.settle(await pacer.acquire(1), { throttled: true, retryAfterInMs: 0 });
    assert.equal(pacer.rate(), 28);
    const rateAfter = (seconds: number) => {
      clock.advance(seconds * 1000);
      pacer.settle({ startedAt: clock.now() }, {});
      return pacer.rate();
    };
    // Halfway back each quiet second: 34, 37, 38.5, then within 2 % of 40.
    assert.deepEqual([1, 1, 1, 1].map(() => rateAfter(1)), [34, 37, 38.5, 40]);

    // A target above the rate that worked is probed at a twentieth of it a second.
    const probing = createPacer({ ratePerSecond: 40, now: clock.now, sleep: clock.sleep });
    probing.settle(await probing.acquire(1), { throttled: true, retryAfterInMs: 0 });
    clock.advance(1000);
    probing.settle({ startedAt: clock.now() }, { throttled: true, retryAfterInMs: 0 }); // cut again from 34: worked = 34
    const climb = [];
    for (let i = 0; i < 8; i++) {
      clock.advance(1000);
      probing.settle({ startedAt: clock.now() }, {});
      climb.push(Math.round(probing.rate() * 100) / 100);
    }
    // Halfway back to 34 while more than 2 % short of it, then 2 (a twentieth of 40) a quiet second, up to 40.
    assert.deepEqual(climb, [28.9, 31.45, 32.73, 34.73, 36.73, 38.73, 40, 40]);
  });

  test('Graph saying the app is near its limit eases the rate before any 429, once until it is back, and stops the climb', async () => {
    const clock = virtualClock();
    const pacer = createPacer({ ratePerSecond: 40, now: clock.now, sleep: clock.sleep });
    const trip = () => ({ startedAt: clock.now() });
    pacer.settle(trip(), { limitShare: 0.85 });
    assert.equal(pacer.rate(), 40, 'from 0.8 the header is only information');
    clock.advance(10);
    pacer.settle(trip(), { limitShare: 0.99 });
    assert.equal(pacer.rate(), 38, 'eased by 5 %, no pause');
    assert.equal(clock.elapsed(), 10);
    for (let i = 0; i < 10; i++) {
      clock.advance(500);
      pacer.settle(trip(), { limitShare: 0.99 });
    }
    assert.equal(pacer.rate(), 38, 'the share lags the rate by Graph\'s window: no second ease for the same congestion, and no climb');
    clock.advance(1000);
    pacer.settle(trip(), { limitShare: 0.9 });
    assert.equal(pacer.rate(), 39, 'below 0.97 the climb resumes');
  });

  test('the old failure: faults that are not throttling leave the rate alone, so it never collapses', async () => {
    // What the batch client reports for a batch with a 503 without Retry-After in it: no signal at all.
    const clock = virtualClock();
    const pacer = createPacer({ ratePerSecond: 50, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 100; i++) pacer.settle(await pacer.acquire(20), {});
    assert.equal(pacer.rate(), 50);
  });

  test('repeated throttling never goes below the minimum, and requests keep their order', async () => {
    const clock = virtualClock();
    const pacer = createPacer({ ratePerSecond: 16, minRatePerSecond: 2, now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 20; i++) {
      clock.advance(10_000);
      pacer.settle({ startedAt: clock.now() }, { throttled: true, retryAfterInMs: 0 });
    }
    assert.equal(pacer.rate(), 2);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => pacer.acquire(2).then(() => order.push(i))));
    assert.deepEqual(order, [0, 1, 2, 3]);
  });

  test('an abort while waiting rejects with its reason, takes nothing, and lets the next caller through', async () => {
    let wake: () => void = () => undefined;
    let time = 0;
    const pacer = createPacer({ ratePerSecond: 10, now: () => time, sleep: () => new Promise((resolve) => (wake = resolve)) });
    await pacer.acquire(10); // the bucket is empty now
    const stop = new AbortController();
    const waiting = pacer.acquire(10, stop.signal);
    await new Promise((resolve) => setImmediate(resolve));
    stop.abort();
    await assert.rejects(waiting, (error) => error === stop.signal.reason);
    await assert.rejects(pacer.acquire(1, stop.signal), (error) => error === stop.signal.reason, 'aborted already: nothing is taken');
    time += 1000; // one second of tokens, all still there
    await pacer.acquire(10);
    wake();
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
