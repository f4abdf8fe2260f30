/**
 * How long before the deadline the answer must be built, in ms, from the event loop's recent delay.
 *
 * An answer is sent from a timer callback (or the continuation of the legacy check) and is seen to leave when the
 * response's `finish` event runs. On a busy event loop each of those two waits up to one loop delay, so the margin
 * is
 *
 *     margin = BASE_SEND_MARGIN_IN_MS + 2 × (largest timer delay seen in the current and last 3 one-second windows)
 *
 * capped at MAX_SEND_MARGIN_IN_MS. The largest delay, not a percentile: a late answer is a failed sign-in, and
 * the margin only costs time the legacy check would otherwise have had. On an idle server the delay is about
 * 1 ms and the margin about 12 ms; at four times capacity it follows the load up.
 */
export interface SendMargin {
  /** The margin now, in ms. */
  inMs(): number;
  /** The largest event-loop delay in the recent windows, in ms (for logs and the bench). */
  lagInMs(): number;
  /**
   * True while the loop is so far behind that the margin is at its cap, and has been for a while: a delay of
   * SHED_LAG_IN_MS or more in each of the last two whole windows. New callouts are then refused at once (503) rather
   * than accepted to be answered late; one pause (a long garbage collection) never sheds, and one quiet second ends it.
   */
  overloaded(): boolean;
  /** Stops measuring. */
  close(): void;
}

/**
 * The margin on a quiet loop, in ms: building, serialising and writing one answer take well under 1 ms, and a delay
 * that starts after the sampler's last tick goes unseen for up to one sampling period (10 ms).
 */
export const BASE_SEND_MARGIN_IN_MS = 10;
/** Never more than this, in ms: past it the server is so far behind that no margin saves the answer. */
export const MAX_SEND_MARGIN_IN_MS = 500;
/** The delay at which the margin reaches its cap, in ms; seen in two whole windows in a row, the server sheds new callouts. */
export const SHED_LAG_IN_MS = (MAX_SEND_MARGIN_IN_MS - BASE_SEND_MARGIN_IN_MS) / 2;
/** How often the delay is sampled, in ms: each sample is how late a 10 ms timer fired, as the deadline's timer would. */
const SAMPLE_EVERY_IN_MS = 10;
/** Samples in one window (1 s), and windows remembered: a spike counts for 3 to 4 s. */
const SAMPLES_PER_WINDOW = 100;
const WINDOWS = 3;

/**
 * Starts measuring how late the event loop runs timers (a 10 ms sampler: the same kind of callback that sends a
 * deadline's answer) and derives the send margin from it. The sampler does not keep the process alive.
 *
 * @example
 *   const margin = createSendMargin();
 *   const deadlineAt = receivedAt + responseDeadlineInMs - margin.inMs();
 */
export function createSendMargin(options: { now?: () => number } = {}): SendMargin {
  const now = options.now ?? (() => performance.now());
  const windows: number[] = [0];
  let samples = 0;
  let last = now();
  const sampler = setInterval(() => {
    const at = now();
    const lag = Math.max(0, at - last - SAMPLE_EVERY_IN_MS);
    last = at;
    windows[windows.length - 1] = Math.max(windows.at(-1)!, lag);
    if (++samples % SAMPLES_PER_WINDOW === 0) {
      windows.push(0);
      if (windows.length > WINDOWS + 1) windows.shift();
    }
  }, SAMPLE_EVERY_IN_MS);
  sampler.unref();

  const lagInMs = () => Math.max(...windows);
  return {
    lagInMs,
    inMs: () => Math.min(MAX_SEND_MARGIN_IN_MS, BASE_SEND_MARGIN_IN_MS + 2 * lagInMs()),
    overloaded: () => windows.length >= 3 && Math.min(windows.at(-2)!, windows.at(-3)!) >= SHED_LAG_IN_MS,
    close: () => clearInterval(sampler),
  };
}
