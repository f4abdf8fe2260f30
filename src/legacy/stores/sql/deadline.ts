/** Bounds for one store call. */
export interface DeadlineOptions {
  timeoutInMs: number;
  /** Rejects with `abortSignal.reason` as soon as it fires. */
  abortSignal?: AbortSignal;
  /** The error to reject with when `timeoutInMs` passes first. */
  timeoutError: () => Error;
}

/**
 * Runs `work` and settles with it, unless the timeout passes or the signal aborts first; then the result of
 * `work` is abandoned (a late rejection is absorbed, never unhandled). `work` is not started when the signal has
 * already aborted. Timer and listener are removed once settled.
 *
 * @example
 *   const rows = await withDeadline(() => pool.query(sql), { timeoutInMs: 1000, abortSignal, timeoutError: () => new Error('slow') });
 */
export function withDeadline<T>(work: () => Promise<T>, options: DeadlineOptions): Promise<T> {
  const { timeoutInMs, abortSignal, timeoutError } = options;
  if (abortSignal?.aborted) return Promise.reject(abortSignal.reason);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      abortSignal?.removeEventListener('abort', onAbort);
      action();
    };
    const onAbort = (): void => settle(() => reject(abortSignal?.reason));
    const timer = setTimeout(() => settle(() => reject(timeoutError())), timeoutInMs);
    abortSignal?.addEventListener('abort', onAbort, { once: true });
    let running: Promise<T>;
    try {
      running = work();
    } catch (error) {
      settle(() => reject(error));
      return;
    }
    running.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
