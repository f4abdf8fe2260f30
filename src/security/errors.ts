import { EntraMigrateError } from '../common/errors.js';

/**
 * Stable codes for refusals of the security layer. Public messages are short and, for decryption, deliberately
 * alike: a wrong key, bad padding and a tampered tag all read "could not be decrypted", so nothing is an oracle.
 */
export const SecurityErrorCode = {
  TOKEN_MISSING: 'TOKEN_MISSING',
  TOKEN_MALFORMED: 'TOKEN_MALFORMED',
  TOKEN_ALGORITHM_REFUSED: 'TOKEN_ALGORITHM_REFUSED',
  TOKEN_SIGNATURE_INVALID: 'TOKEN_SIGNATURE_INVALID',
  TOKEN_KEY_UNKNOWN: 'TOKEN_KEY_UNKNOWN',
  TOKEN_ISSUER_INVALID: 'TOKEN_ISSUER_INVALID',
  TOKEN_AUDIENCE_INVALID: 'TOKEN_AUDIENCE_INVALID',
  TOKEN_CALLER_INVALID: 'TOKEN_CALLER_INVALID',
  TOKEN_TENANT_INVALID: 'TOKEN_TENANT_INVALID',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_NOT_YET_VALID: 'TOKEN_NOT_YET_VALID',
  SIGNING_KEYS_UNAVAILABLE: 'SIGNING_KEYS_UNAVAILABLE',
  CONTEXT_MALFORMED: 'CONTEXT_MALFORMED',
  CONTEXT_DECRYPT_FAILED: 'CONTEXT_DECRYPT_FAILED',
  CONTEXT_TOO_LARGE: 'CONTEXT_TOO_LARGE',
  CONTEXT_EXPIRED: 'CONTEXT_EXPIRED',
  CONTEXT_NOT_YET_VALID: 'CONTEXT_NOT_YET_VALID',
  CONTEXT_AUDIENCE_MISMATCH: 'CONTEXT_AUDIENCE_MISMATCH',
  KEY_INVALID: 'KEY_INVALID',
  /** A decryption key held elsewhere (Key Vault) did not answer in time. */
  KEY_UNAVAILABLE: 'KEY_UNAVAILABLE',
} as const;

export type SecurityErrorCode = (typeof SecurityErrorCode)[keyof typeof SecurityErrorCode];

/**
 * The one error class of `security/`. Neither message ever holds a token, a JWE, a decrypted claim value or key
 * material; `message` (the detail, for logs) may name a header parameter, a claim name or a file path.
 *
 * @example
 *   throw new SecurityError(SecurityErrorCode.TOKEN_EXPIRED, 'The bearer token has expired.', { detail: 'exp 1700000000, now 1700000400' });
 */
export class SecurityError extends EntraMigrateError {
  declare readonly code: SecurityErrorCode;

  constructor(code: SecurityErrorCode, publicMessage: string, options: { detail?: string; cause?: unknown } = {}) {
    super(code, publicMessage, options);
  }
}
