import { EntraMigrateError } from '../../common/errors.js';

/** Stable codes for an import that cannot run or cannot finish. A row it cannot use is never an error: it is reported. */
export const LegacyImportErrorCode = {
  /** `--from` (or a file in its directory) is missing, unreadable or a directory where a file is needed. */
  SOURCE_UNREADABLE: 'LEGACY_IMPORT_SOURCE_UNREADABLE',
  /** The file is not the export the format names: invalid JSON, the wrong shape, a value or record over the limits, broken CSV. */
  SOURCE_MALFORMED: 'LEGACY_IMPORT_SOURCE_MALFORMED',
  /** `--hash-config` is missing where the format needs it, unreadable, or not the hash parameters it should hold. */
  HASH_CONFIG_INVALID: 'LEGACY_IMPORT_HASH_CONFIG_INVALID',
  /** An option does not fit the format (`--field` on an export with a fixed layout, an unknown column). */
  OPTIONS_INVALID: 'LEGACY_IMPORT_OPTIONS_INVALID',
  /** `--out` cannot be opened or written as a SQLite database. */
  OUTPUT_UNUSABLE: 'LEGACY_IMPORT_OUTPUT_UNUSABLE',
  /** Not one row could be used: the table is left as it was rather than replaced by an empty one. */
  NOTHING_USABLE: 'LEGACY_IMPORT_NOTHING_USABLE',
} as const;

export type LegacyImportErrorCode = (typeof LegacyImportErrorCode)[keyof typeof LegacyImportErrorCode];

/**
 * Why an import stopped before replacing the table. The message names the file, the line and what is wrong with it,
 * never a value read from it (it may be a hash, an e-mail or a password).
 *
 * @example
 *   throw new LegacyImportError(LegacyImportErrorCode.SOURCE_MALFORMED, 'users.json line 12: invalid JSON (expected a value).');
 */
export class LegacyImportError extends EntraMigrateError {
  declare readonly code: LegacyImportErrorCode;

  constructor(code: LegacyImportErrorCode, publicMessage: string, options: { detail?: string; cause?: unknown } = {}) {
    super(code, publicMessage, options);
  }
}

/** `SOURCE_MALFORMED` for `where` (a file, with its line when known). */
export function malformedSource(where: string, problem: string): LegacyImportError {
  return new LegacyImportError(LegacyImportErrorCode.SOURCE_MALFORMED, `${where}: ${problem}.`);
}
