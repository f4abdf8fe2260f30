/**
 * `work`, raced against `abortSignal`: when the signal fires first, the returned promise rejects at once with
 * `abandonedWith()` (default: the signal's reason) and `work` goes on for whoever else waits on it, its later
 * rejection swallowed here so it is never unhandled.
 *
 * @example
 *   const claims = await untilAborted(sharedQuestion, call.abortSignal);
 */
export function untilAborted<T>(work: Promise<T>, abortSignal: AbortSignal, abandonedWith: () => unknown = () => abortSignal.reason): Promise<T> {
  if (abortSignal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(abandonedWith());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abandonedWith());
    abortSignal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        abortSignal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        abortSignal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
