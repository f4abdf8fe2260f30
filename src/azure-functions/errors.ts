import { EntraMigrateError } from '../common/errors.js';

/** Stable codes of the Azure Functions adapter's own errors; a retired code is never reused. */
export const FunctionsErrorCode = {
  /** `registerFunctions` was called a second time with the same `app`: the host would refuse the duplicate names. */
  ALREADY_REGISTERED: 'FUNCTIONS_ALREADY_REGISTERED',
  /** The extension could not be opened (a key, the ledger, the legacy store): callouts get a 503 until it opens. */
  EXTENSION_UNAVAILABLE: 'EXTENSION_UNAVAILABLE',
} as const;

export type FunctionsErrorCode = (typeof FunctionsErrorCode)[keyof typeof FunctionsErrorCode];

/** An error of the Azure Functions adapter; switch on `code`. */
export class FunctionsError extends EntraMigrateError {
  declare readonly code: FunctionsErrorCode;

  constructor(code: FunctionsErrorCode, publicMessage: string, options: { detail?: string; cause?: unknown } = {}) {
    super(code, publicMessage, options);
  }
}
