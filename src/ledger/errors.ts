import { EntraMigrateError } from '../common/errors.js';

/** Stable codes for ledger problems. */
export const LedgerErrorCode = {
  /** `LEDGER_DATABASE_URL` cannot be parsed or names an unsupported kind. */
  URL_INVALID: 'LEDGER_URL_INVALID',
  /** The ledger database cannot be opened, reached or written. */
  UNAVAILABLE: 'LEDGER_UNAVAILABLE',
  /** A record fails validation (an unknown action, an over-long field); nothing was written. */
  RECORD_INVALID: 'LEDGER_RECORD_INVALID',
  /** The database was migrated by a newer entra-migrate; this version refuses to touch it. */
  SCHEMA_TOO_NEW: 'LEDGER_SCHEMA_TOO_NEW',
} as const;

export type LedgerErrorCode = (typeof LedgerErrorCode)[keyof typeof LedgerErrorCode];

/** The one error class of `ledger/`. Messages show URLs with the password redacted. */
export class LedgerError extends EntraMigrateError {
  declare readonly code: LedgerErrorCode;

  constructor(code: LedgerErrorCode, publicMessage: string, options: { detail?: string; cause?: unknown } = {}) {
    super(code, publicMessage, options);
  }
}
