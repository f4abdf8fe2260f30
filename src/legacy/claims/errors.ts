import { EntraMigrateError } from '../../common/errors.js';

/**
 * Stable codes for claims the legacy system gave that a token cannot carry (the custom claims provider reference,
 * "Claim size limitations" and "Supported data types"). Legacy data at fault, not the store: the handler treats
 * them like a store failure (TOKEN_CLAIMS_ON_LEGACY_FAILURE), never as a malformed answer to Entra.
 */
export const TokenClaimsErrorCode = {
  /** A column or answer field whose name cannot be a claim name (letters, digits, `_`, `-`, `.`; a letter first). */
  NAME_INVALID: 'TOKEN_CLAIM_NAME_INVALID',
  /** A value that is neither a scalar nor an array of strings (a JSON object, binary data, an array of numbers). */
  VALUE_INVALID: 'TOKEN_CLAIM_VALUE_INVALID',
  /** More claims than an answer may carry, or more than 3 KB of names and values together. */
  TOO_LARGE: 'TOKEN_CLAIMS_TOO_LARGE',
} as const;

export type TokenClaimsErrorCode = (typeof TokenClaimsErrorCode)[keyof typeof TokenClaimsErrorCode];

/**
 * The error of legacy claims that break the event's limits. Its messages name a claim only when the name is a valid
 * claim name (a configured column alias), never a value.
 *
 * @example
 *   throw new TokenClaimsError(TokenClaimsErrorCode.TOO_LARGE, 'The legacy claims take 4100 bytes; a token takes at most 3072.');
 */
export class TokenClaimsError extends EntraMigrateError {
  declare readonly code: TokenClaimsErrorCode;

  constructor(code: TokenClaimsErrorCode, publicMessage: string) {
    super(code, publicMessage);
  }
}
