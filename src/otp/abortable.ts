import { OtpError, OtpErrorCode } from './errors.js';

/**
 * `work` raced against `abortSignal`: an abort rejects at once with `OTP_PROVIDER_TIMEOUT` (the work is abandoned;
 * the provider's own timeouts end it). A rejection of `work` after the abort is swallowed, so it is never unhandled.
 */
export function untilAborted<T>(work: Promise<T>, abortSignal: AbortSignal, provider: string): Promise<T> {
  const timeout = () => new OtpError(OtpErrorCode.PROVIDER_TIMEOUT, `${provider}: abandoned at the deadline`);
  if (abortSignal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(timeout());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(timeout());
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
