import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { withDeadline } from '../sql/deadline.js';

/** How long one check (or ping) may take: until `deadlineAt`, or until `abortSignal` fires. */
export interface Bounds {
  /** In ms since the epoch, on the `now` clock. */
  readonly deadlineAt: number;
  readonly abortSignal?: AbortSignal;
  readonly now: () => number;
}

/**
 * Runs one directory step within what remains of the bounds: rejects with `LEGACY_STORE_TIMEOUT` when the deadline
 * passes first, with the signal's reason when it fires first. The step is then abandoned; the caller closes the
 * connection it was using (that is what ends the step on the wire).
 *
 * @example
 *   await within(bounds, () => client.bind(dn, password));
 */
export function within<T>(bounds: Bounds, step: () => Promise<T>): Promise<T> {
  if (bounds.abortSignal?.aborted) return Promise.reject(bounds.abortSignal.reason);
  const timeoutInMs = bounds.deadlineAt - bounds.now();
  if (timeoutInMs <= 0) return Promise.reject(timeoutError());
  return withDeadline(step, { timeoutInMs, abortSignal: bounds.abortSignal, timeoutError });
}

/**
 * Whether `error` is the bounds' own abort reason, which a check passes on untouched (never wrapped as a store
 * error), as the authority interface promises.
 */
export function isAbortReason(bounds: Bounds, error: unknown): boolean {
  return bounds.abortSignal?.aborted === true && error === bounds.abortSignal.reason;
}

function timeoutError(): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.TIMEOUT, 'The directory did not answer before the sign-in deadline.');
}
