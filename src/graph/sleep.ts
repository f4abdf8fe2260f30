/** Waits `ms`; injected by tests to run time virtually. */
export type Sleep = (ms: number) => Promise<void>;

/**
 * Waits `ms` with `sleep` (default a timer), or rejects with the abort signal's reason as soon as it aborts; the
 * default timer is then cleared, so a long Retry-After never keeps a stopped run alive.
 *
 * @example
 *   await sleepUnlessAborted(undefined, 30_000, abortSignal); // rejects at once on Ctrl-C
 */
export function sleepUnlessAborted(sleep: Sleep | undefined, ms: number, abortSignal?: AbortSignal): Promise<void> {
  if (abortSignal?.aborted) return Promise.reject(abortSignal.reason);
  if (!abortSignal) return sleep ? sleep(ms) : new Promise((resolve) => setTimeout(resolve, ms));
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortSignal.reason);
    };
    const done = () => {
      abortSignal.removeEventListener('abort', onAbort);
      resolve();
    };
    abortSignal.addEventListener('abort', onAbort, { once: true });
    if (sleep) sleep(ms).then(done, reject);
    else timer = setTimeout(done, ms);
  });
}
