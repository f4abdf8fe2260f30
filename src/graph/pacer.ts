import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';

export interface PacerOptions {
  /** Writes per second to aim for (Graph identity writes: ~20/s per app registration). */
  ratePerSecond: number;
  /** Tokens that may accumulate while idle; default 1 s worth (a full $batch of 20 at 18/s waits briefly). */
  burst?: number;
  /** Lowest rate a throttled pacer slows to, per second. Default 1. */
  minRatePerSecond?: number;
  now?: Clock;
  sleep?: (ms: number) => Promise<void>;
}

export interface Pacer {
  /** Waits until `count` writes may be sent, then takes them. Requests are served in arrival order. */
  acquire(count?: number): Promise<void>;
  /**
   * Graph said 429/503: nothing is sent for `retryAfterInMs`, and the rate is halved (multiplicative decrease).
   * Later successes raise it back by 5 % per second of good traffic (additive increase) up to the target.
   */
  throttled(retryAfterInMs: number): void;
  /** The rate in force now, per second. */
  rate(): number;
}

/**
 * A token bucket set to a writes-per-second budget, with AIMD back-off on throttling: it saturates the budget Graph
 * grants an app registration without running into 429 storms. One pacer per app registration.
 *
 * @example
 *   const pacer = createPacer({ ratePerSecond: 18 });
 *   await pacer.acquire(requests.length); // before each $batch
 */
export function createPacer(options: PacerOptions): Pacer {
  const now = options.now ?? systemClock;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const target = options.ratePerSecond;
  const minimum = Math.min(target, options.minRatePerSecond ?? 1);
  if (!(target > 0)) throw new RangeError(`The pacer's rate must be above 0; got ${target}.`);
  let rate = target;
  const burst = () => options.burst ?? Math.max(1, rate);
  let tokens = burst();
  let refilledAt = now();
  let pausedUntil = 0;
  let queue: Promise<void> = Promise.resolve();

  const refill = () => {
    const at = now();
    const elapsedInSeconds = Math.max(0, at - refilledAt) / 1000;
    refilledAt = at;
    tokens = Math.min(burst(), tokens + elapsedInSeconds * rate);
    if (rate < target && at >= pausedUntil) rate = Math.min(target, rate + target * 0.05 * elapsedInSeconds);
  };

  const take = async (count: number) => {
    for (;;) {
      const pause = pausedUntil - now();
      if (pause > 0) {
        await sleep(pause);
        continue;
      }
      refill();
      // A request larger than the bucket is let through once the bucket is full, so a big batch never starves.
      const need = Math.min(count, burst());
      if (tokens >= need) {
        tokens -= count;
        return;
      }
      await sleep(Math.ceil(((need - tokens) / rate) * 1000));
    }
  };

  return {
    acquire(count = 1) {
      const turn = queue.then(() => take(count));
      queue = turn.catch(() => undefined);
      return turn;
    },
    throttled(retryAfterInMs) {
      pausedUntil = Math.max(pausedUntil, now() + Math.max(0, retryAfterInMs));
      rate = Math.max(minimum, rate / 2);
      tokens = Math.min(tokens, 0);
    },
    rate: () => rate,
  };
}
