import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { transportError } from './transport-error.js';

/** One call's limits as a single signal for the HTTP client, and why it fired. */
export interface CallBounds {
  /** Aborts when the caller's signal fires or the time is up; given to undici, which then drops the connection. */
  readonly signal: AbortSignal;
  /** The ms left when the call started (never below 1). */
  readonly timeoutInMs: number;
  /**
   * What to reject with now that the call failed with `error`: the caller's abort reason (as is, as `fetch` does),
   * TIMEOUT when the time ran out, else `error` as a store error ({@link transportError}).
   */
  failureOf(error: unknown): unknown;
  /** Removes the timer and the listener. Call once the call has settled. */
  dispose(): void;
}

/**
 * Bounds one call to the service by the caller's `abortSignal` and by `timeoutInMs`, whichever comes first: a
 * single signal aborts the request (and the body read), so the socket is released at once either way. Throws
 * instead when the call must not start, so nothing is sent: the signal has fired already (its reason) or no time
 * is left (TIMEOUT). `where` is the URL as messages show it (`shownUrl`).
 *
 * @example
 *   const bounds = boundCall(options.abortSignal, options.deadlineAt - Date.now(), 'https://legacy.example.com/verify');
 *   try {
 *     return await request(url, { signal: bounds.signal });
 *   } catch (error) {
 *     throw bounds.failureOf(error);
 *   } finally {
 *     bounds.dispose();
 *   }
 */
export function boundCall(abortSignal: AbortSignal | undefined, timeoutInMs: number, where: string): CallBounds {
  if (abortSignal?.aborted) throw abortSignal.reason;
  const timeoutError = (): LegacyStoreError =>
    new LegacyStoreError(LegacyStoreErrorCode.TIMEOUT, `The legacy web service at ${where} did not answer within ${Math.round(timeoutInMs)} ms.`);
  if (!(timeoutInMs >= 1)) throw timeoutError();
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort(abortSignal?.reason);
  abortSignal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(timeoutError());
  }, timeoutInMs);
  return {
    signal: controller.signal,
    timeoutInMs,
    failureOf(error) {
      if (abortSignal?.aborted) return abortSignal.reason;
      if (timedOut) return timeoutError();
      return transportError(error, where);
    },
    dispose() {
      clearTimeout(timer);
      abortSignal?.removeEventListener('abort', onAbort);
    },
  };
}
