import { EntraMigrateError } from '../common/errors.js';

/**
 * Why a one-time code was not sent, as stable codes. The messages never quote what a provider said: SMTP servers and
 * Azure Communication Services echo the recipient, and sometimes the message, in their errors.
 */
export const OtpErrorCode = {
  /** The provider refused the message or could not be reached (HTTP 502 to Entra, which may fall back). */
  PROVIDER_FAILED: 'OTP_PROVIDER_FAILED',
  /** The provider did not answer before the deadline; the send was abandoned (HTTP 504). */
  PROVIDER_TIMEOUT: 'OTP_PROVIDER_TIMEOUT',
  /** OTP_TEMPLATES_DIR holds a template that cannot be used (start-up only). */
  TEMPLATES_INVALID: 'OTP_TEMPLATES_INVALID',
} as const;
export type OtpErrorCode = (typeof OtpErrorCode)[keyof typeof OtpErrorCode];

/**
 * An e-mail provider's failure. `message` (the detail, logs only) is built by us from the provider's error code and
 * status — never from its text — so it holds neither a code nor an address.
 *
 * @example
 *   throw new OtpError(OtpErrorCode.PROVIDER_FAILED, 'smtp: the server refused the message (550)');
 */
export class OtpError extends EntraMigrateError {
  declare readonly code: OtpErrorCode;

  constructor(code: OtpErrorCode, detail: string) {
    const publicMessage = code === OtpErrorCode.PROVIDER_TIMEOUT ? 'The e-mail provider did not answer in time.' : code === OtpErrorCode.PROVIDER_FAILED ? 'The e-mail provider did not accept the message.' : 'The e-mail templates cannot be used.';
    super(code, publicMessage, { detail });
  }
}

/** A provider's own error token (an SMTP `ECONNECTION`, an ACS `Unauthorized`) when it looks like one, else `unknown`. */
export function safeToken(value: unknown): string {
  return typeof value === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? value : typeof value === 'number' && Number.isInteger(value) ? String(value) : 'unknown';
}
