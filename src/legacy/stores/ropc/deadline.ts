/** One request's end: the caller's abort or the deadline, whichever comes first. */
export interface RequestDeadline {
  /** Fires with the caller's reason, or at the deadline. Hand it to the HTTP client. */
  readonly signal: AbortSignal;
  /** True when the deadline, not the caller, ended the request. */
  timedOut(): boolean;
  /** Clears the timer and the listener; call when the request is over. */
  dispose(): void;
}

/**
 * Joins the caller's `abortSignal` and a timeout of `timeoutInMs` into the one signal the request is sent with.
 * Keeping the two apart lets the store reject with the caller's own reason on an abort and with
 * `LEGACY_STORE_TIMEOUT` at the deadline.
 *
 * @example
 *   const deadline = requestDeadline(options.abortSignal, options.deadlineAt - now());
 *   try { await request(url, { signal: deadline.signal }); } finally { deadline.dispose(); }
 */
export function requestDeadline(abortSignal: AbortSignal | undefined, timeoutInMs: number): RequestDeadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`deadline of ${timeoutInMs} ms passed`));
  }, Math.max(0, timeoutInMs));
  const onAbort = () => controller.abort(abortSignal?.reason);
  if (abortSignal?.aborted) onAbort();
  else abortSignal?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => timedOut && !abortSignal?.aborted,
    dispose() {
      clearTimeout(timer);
      abortSignal?.removeEventListener('abort', onAbort);
    },
  };
}
