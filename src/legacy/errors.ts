import { EntraMigrateError } from '../common/errors.js';

/** Stable codes for problems reaching or reading the legacy store. Callers switch on these, never on wording. */
export const LegacyStoreErrorCode = {
  /** The store URL cannot be parsed, names an unsupported scheme, or carries an option we do not understand. */
  URL_INVALID: 'LEGACY_STORE_URL_INVALID',
  /** A store option other than the URL is out of range (a query timeout of 0 ms, a pool of 500 connections). */
  OPTIONS_INVALID: 'LEGACY_STORE_OPTIONS_INVALID',
  /** The configured lookup query is wrong: an unknown `:name`, a syntax error, no `password_hash` column. */
  QUERY_INVALID: 'LEGACY_QUERY_INVALID',
  /** The store cannot be reached or refused us: connection refused, authentication failed, store closed. */
  UNAVAILABLE: 'LEGACY_STORE_UNAVAILABLE',
  /** The store did not answer within the query timeout. */
  TIMEOUT: 'LEGACY_STORE_TIMEOUT',
  /** The answer cannot be trusted: an empty or undecodable `password_hash`, or several accounts matched. */
  ROW_INVALID: 'LEGACY_ROW_INVALID',
  /**
   * A network store's answer is not one it may give: not JSON, over the size limit, a status with no meaning
   * (a web service's 500, a token endpoint's unknown error).
   */
  ANSWER_INVALID: 'LEGACY_ANSWER_INVALID',
  /**
   * The legacy system refused *us*, not the user: our credentials, client id, bind DN or URL are wrong. The
   * message names the setting to fix.
   */
  MISCONFIGURED: 'LEGACY_STORE_MISCONFIGURED',
  /** The store failed several times in a row; sign-ins are answered "temporarily unavailable" at once for a while. */
  CIRCUIT_OPEN: 'LEGACY_STORE_CIRCUIT_OPEN',
} as const;

export type LegacyStoreErrorCode = (typeof LegacyStoreErrorCode)[keyof typeof LegacyStoreErrorCode];

/**
 * The one error class of `legacy/` stores. `publicMessage` never holds a connection password (URLs are shown
 * redacted, `postgres://user:***@host/db`), a password hash or a looked-up user name; `message` adds the driver's
 * detail for logs, under the same rule.
 *
 * @example
 *   throw new LegacyStoreError(LegacyStoreErrorCode.TIMEOUT, 'The legacy store did not answer within 1000 ms.');
 */
export class LegacyStoreError extends EntraMigrateError {
  declare readonly code: LegacyStoreErrorCode;

  constructor(code: LegacyStoreErrorCode, publicMessage: string, options: { detail?: string; cause?: unknown } = {}) {
    super(code, publicMessage, options);
  }
}
