import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { createRateControl } from './rate-control.js';
import { sleepUnlessAborted, type Sleep } from './sleep.js';

export interface PacerOptions {
  /** Writes per second to aim for and never exceed (Graph identity writes: ~20/s per app registration). */
  ratePerSecond: number;
  /** Tokens that may accumulate while idle; default 1 s worth (a full $batch of 20 at 18/s waits briefly). */
  burst?: number;
  /** Lowest rate a throttled pacer slows to, per second. Default 1. */
  minRatePerSecond?: number;
  now?: Clock;
  sleep?: Sleep;
}

/** One request to Graph (a `$batch`, or a single call) that the pacer let through, for {@link Pacer.settle}. */
export interface RoundTrip {
  /** When the pacer let it through. */
  readonly startedAt: number;
}

/** What Graph's answer to one round trip says about the rate. */
export interface RoundTripFeedback {
  /** Graph throttled it, or some request in it: a 429, or a 503 with Retry-After. */
  throttled?: boolean;
  /** The longest Retry-After among those answers, in ms: nothing is sent until it has passed. */
  retryAfterInMs?: number;
  /** The highest `x-ms-throttle-limit-percentage` among the answers (0.8–1.8): how near the app is to its limit. */
  limitShare?: number;
}

export interface Pacer {
  /**
   * Waits until `count` writes may be sent, then takes them. Requests are served in arrival order. An abort while
   * waiting rejects with the signal's reason and takes nothing.
   */
  acquire(count?: number, abortSignal?: AbortSignal): Promise<RoundTrip>;
  /**
   * Tells the pacer what Graph answered to a round trip it let through. Throttling pauses everything for the
   * Retry-After and cuts the rate, once per congestion event; a limit share near 1 eases it before Graph throttles;
   * quiet periods bring it back (see rate-control.ts). Answers without a signal need not be reported.
   */
  settle(trip: RoundTrip, feedback: RoundTripFeedback): void;
  /** The rate in force now, per second. */
  rate(): number;
}

/**
 * A token bucket set to a writes-per-second budget, steered by what Graph answers: it keeps the budget an app
 * registration is granted busy without running into 429 storms. One pacer per app registration.
 *
 * @example
 *   const pacer = createPacer({ ratePerSecond: 18 });
 *   const trip = await pacer.acquire(requests.length); // before each $batch
 *   pacer.settle(trip, { throttled: true, retryAfterInMs: 2000 }); // Graph answered 429, Retry-After: 2
 */
export function createPacer(options: PacerOptions): Pacer {
  const now = options.now ?? systemClock;
  const target = options.ratePerSecond;
  if (!(target > 0)) throw new RangeError(`The pacer's rate must be above 0; got ${target}.`);
  const control = createRateControl({ ceiling: target, floor: options.minRatePerSecond ?? 1 });
  let rate = target;
  const burst = () => options.burst ?? Math.max(1, rate);
  let tokens = burst();
  let refilledAt = now();
  let pausedUntil = Number.NEGATIVE_INFINITY;
  let queue: Promise<unknown> = Promise.resolve();

  const refill = () => {
    const at = now();
    tokens = Math.min(burst(), tokens + (Math.max(0, at - refilledAt) / 1000) * rate);
    refilledAt = at;
    rate = control.rate(at);
  };

  const take = async (count: number, abortSignal: AbortSignal | undefined): Promise<RoundTrip> => {
    for (;;) {
      abortSignal?.throwIfAborted();
      const pause = pausedUntil - now();
      if (pause > 0) {
        await sleepUnlessAborted(options.sleep, pause, abortSignal);
        continue;
      }
      refill();
      // A request larger than the bucket is let through once the bucket is full, so a big batch never starves.
      const need = Math.min(count, burst());
      if (tokens >= need) {
        tokens -= count;
        return { startedAt: now() };
      }
      await sleepUnlessAborted(options.sleep, Math.ceil(((need - tokens) / rate) * 1000), abortSignal);
    }
  };

  return {
    acquire(count = 1, abortSignal) {
      const turn = queue.then(() => take(count, abortSignal));
      queue = turn.catch(() => undefined);
      return turn;
    },
    settle(trip, feedback) {
      const at = now();
      refill();
      if (feedback.throttled) {
        pausedUntil = Math.max(pausedUntil, at + Math.max(0, feedback.retryAfterInMs ?? 0));
        control.onThrottled(trip.startedAt, at, pausedUntil);
        // What accumulated before the throttling is not spent in a burst after the pause.
        tokens = Math.min(tokens, 0);
      }
      if (feedback.limitShare !== undefined) control.onLimitShare(feedback.limitShare, trip.startedAt, at);
      rate = control.rate(at);
    },
    rate: () => rate,
  };
}
