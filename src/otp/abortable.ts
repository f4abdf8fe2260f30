import { untilAborted as raceAbort } from '../common/until-aborted.js';
import { OtpError, OtpErrorCode } from './errors.js';

/**
 * `work` raced against `abortSignal`: an abort rejects at once with `OTP_PROVIDER_TIMEOUT` (the work is abandoned;
 * the provider's own timeouts end it). A rejection of `work` after the abort is swallowed, so it is never unhandled.
 */
export function untilAborted<T>(work: Promise<T>, abortSignal: AbortSignal, provider: string): Promise<T> {
  return raceAbort(work, abortSignal, () => new OtpError(OtpErrorCode.PROVIDER_TIMEOUT, `${provider}: abandoned at the deadline`));
}
