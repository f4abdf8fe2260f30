import type { Clock } from '../common/clock.js';

/**
 * Runs `work` against the clock: when `deadlineAt` comes first, `work` is aborted and abandoned and `late()` is the
 * result. The handlers' one way of waiting on anything outside the process.
 *
 * @example
 *   await beforeDeadline((signal) => directory.findByEmail(email, { abortSignal: signal, deadlineAt }), () => timedOut, deadlineAt, clock);
 */
export async function beforeDeadline<T>(work: (abortSignal: AbortSignal) => Promise<T>, late: () => T, deadlineAt: number, clock: Clock): Promise<T> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      resolve(late()); // settled first, so work that answers its abort at once does not win the race
      abort.abort();
    }, Math.max(0, deadlineAt - clock()));
  });
  try {
    return await Promise.race([work(abort.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
