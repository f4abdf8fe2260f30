/**
 * The pacer's control loop: the write rate one app registration aims for, moved by what Graph says about each round
 * trip (one `$batch`). Pure: every call is told the time, so tests drive it with numbers.
 *
 * - Throttled (429, or 503 with Retry-After): the rate falls to {@link THROTTLED_FACTOR} of itself, once per
 *   congestion event. Answers to round trips begun before the cut belong to it (TCP's rule, RFC 5681 §3.1: one
 *   reduction per window of data), so twenty 429s in one batch, or four batches in flight together, cut once; so do
 *   429s to round trips begun within a quiet period of the Retry-After pause's end, which names when the first write
 *   of the budget frees up, not the rest.
 * - Near the limit (Graph's `x-ms-throttle-limit-percentage`, sent from 0.8 of the limit): from {@link HOLD_SHARE}
 *   the rate stops climbing; from {@link EASE_SHARE} it eases to {@link EASE_FACTOR} of itself — once, until it has
 *   climbed back, because the share describes the whole window Graph counts and lags the rate by that window.
 * - A later signal of the same event only deepens its cut (an ease, then 429s from the same batches: one cut to 70 %).
 * - Recovery: after each {@link QUIET_IN_MS} without a signal the rate climbs halfway back to the rate it had before
 *   the last cut (BIC's binary search: a cut to 70 % is within 2 % again in four quiet seconds), then above it by a
 *   twentieth of the ceiling a step, up to the ceiling.
 *
 * A 503 without Retry-After, a 5xx or a network failure is no signal here: it is a transient failure, retried with
 * back-off by whoever sent the request, and says nothing about the rate.
 *
 * @example
 *   const control = createRateControl({ ceiling: 50, floor: 1 });
 *   control.onThrottled(trip.startedAt, Date.now(), Date.now() + 2000);
 *   control.rate(Date.now()); // 35
 */
export interface RateControl {
  /** The rate in force at `at`, writes per second, after any climb that is due. */
  rate(at: number): number;
  /** A round trip begun at `startedAt` was throttled at `at`; sending resumes at `resumeAt` (the Retry-After). */
  onThrottled(startedAt: number, at: number, resumeAt?: number): void;
  /** A round trip begun at `startedAt` said at `at` that the app has used `share` of its limit (0.8–1.8). */
  onLimitShare(share: number, startedAt: number, at: number): void;
}

export interface RateControlOptions {
  /** The rate to start at and never exceed, writes per second (the user's `--rate`). */
  ceiling: number;
  /** The lowest rate cuts go to, writes per second. */
  floor: number;
}

/** A throttled round trip cuts the rate to this share (CUBIC's β): halving undershoots a budget exceeded by a little. */
export const THROTTLED_FACTOR = 0.7;
/** From this share of the limit the rate no longer climbs: Graph is about to throttle. */
export const HOLD_SHARE = 0.97;
/** From this share of the limit the rate eases off before Graph answers 429. */
export const EASE_SHARE = 0.98;
/** How far it eases. */
export const EASE_FACTOR = 0.95;
/** Time without a throttling or near-limit signal before each climb. */
export const QUIET_IN_MS = 1000;
/** Above the rate that worked, each climb adds this share of the ceiling: probing slowly where Graph said no. */
const PROBE_STEP = 0.05;
/** Within this share of the rate that worked, the rate counts as back there. */
const BACK = 0.02;

export function createRateControl(options: RateControlOptions): RateControl {
  const { ceiling } = options;
  const floor = Math.min(ceiling, options.floor);
  let rate = ceiling;
  /** The rate before the last cut: where recovery returns to quickly. */
  let worked = ceiling;
  /** Answers to round trips begun before this belong to the last cut. */
  let cutAt = Number.NEGATIVE_INFINITY;
  /** Climbs wait a quiet period from here: the last signal, the end of a pause, or the last climb. */
  let calmFrom = Number.NEGATIVE_INFINITY;
  /** The rate the next ease needs (see the header). */
  let easeFrom = 0;

  const cut = (factor: number, startedAt: number, at: number, resumeAt: number) => {
    calmFrom = Math.max(calmFrom, resumeAt);
    if (startedAt < cutAt) {
      rate = Math.max(floor, Math.min(rate, worked * factor));
      return;
    }
    worked = rate;
    easeFrom = rate * 0.999;
    rate = Math.max(floor, rate * factor);
    cutAt = resumeAt > at ? resumeAt + QUIET_IN_MS : at;
  };

  return {
    rate(at) {
      if (rate < ceiling && at - calmFrom >= QUIET_IN_MS) {
        const halfway = rate + (worked - rate) / 2;
        rate = Math.min(ceiling, worked - halfway > worked * BACK ? halfway : Math.max(worked, rate + ceiling * PROBE_STEP));
        calmFrom = at;
      }
      return rate;
    },
    onThrottled(startedAt, at, resumeAt = at) {
      cut(THROTTLED_FACTOR, startedAt, at, Math.max(at, resumeAt));
    },
    onLimitShare(share, startedAt, at) {
      if (share >= EASE_SHARE && rate >= easeFrom) cut(EASE_FACTOR, startedAt, at, at);
      else if (share >= HOLD_SHARE) calmFrom = Math.max(calmFrom, at);
    },
  };
}
