import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import { redactUrl, withoutUrlPassword } from './url.js';

/** How a driver error is understood; each driver module classifies its own errors into one of these. */
export type DriverFailure = 'unavailable' | 'timeout' | 'query-invalid';

/** A driver error's identifying fields, read without trusting its shape. */
export interface DriverErrorFacts {
  /** `ECONNREFUSED`, a SQLSTATE (`42601`), `ER_PARSE_ERROR`, `SQLITE_BUSY`… */
  code: string | undefined;
  /** MySQL's numeric error (`1064`). */
  errno: number | undefined;
  /** The SQLSTATE MySQL attaches beside its errno (`42S02`). */
  sqlState: string | undefined;
  message: string;
}

/** The fields of `error` that classification looks at. AggregateErrors (several addresses tried) yield the first. */
export function factsOf(error: unknown): DriverErrorFacts {
  const inner = error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
  const record = (typeof inner === 'object' && inner !== null ? inner : {}) as Record<string, unknown>;
  const outer = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const code = typeof outer.code === 'string' ? outer.code : typeof record.code === 'string' ? record.code : undefined;
  return {
    code,
    errno: typeof record.errno === 'number' ? record.errno : undefined,
    sqlState: typeof record.sqlState === 'string' ? record.sqlState : undefined,
    message: error instanceof Error ? error.message || String(record.message ?? '') : String(error),
  };
}

const FAILURE_CODES: Readonly<Record<DriverFailure, LegacyStoreErrorCode>> = {
  unavailable: LegacyStoreErrorCode.UNAVAILABLE,
  timeout: LegacyStoreErrorCode.TIMEOUT,
  'query-invalid': LegacyStoreErrorCode.QUERY_INVALID,
};

/** Network failures of Node's sockets: the server is not there (or went away). */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * Wraps a driver error as a `LegacyStoreError`. The public message names the store by its redacted URL; the
 * internal detail adds the driver's code and message, with the URL's password scrubbed from it.
 * `LegacyStoreError`s pass through unchanged.
 *
 * @example
 *   throw toLegacyStoreError(error, classifyPostgresError(error), { url, queryTimeoutInMs: 1000 });
 */
export function toLegacyStoreError(
  error: unknown,
  failure: DriverFailure,
  store: { url: string; queryTimeoutInMs: number },
): LegacyStoreError {
  if (error instanceof LegacyStoreError) return error;
  const facts = factsOf(error);
  const shown = redactUrl(store.url);
  const driverCode = facts.code ?? (facts.errno === undefined ? 'no code' : String(facts.errno));
  const code = FAILURE_CODES[failure];
  const publicMessage =
    failure === 'timeout'
      ? `The legacy store ${shown} did not answer within ${store.queryTimeoutInMs} ms.`
      : failure === 'query-invalid'
        ? `The legacy store ${shown} rejected the lookup query (${driverCode}).`
        : `The legacy store ${shown} is unavailable.`;
  const detail = withoutUrlPassword(`${publicMessage} Driver said: ${driverCode}: ${facts.message}`, store.url);
  return new LegacyStoreError(code, publicMessage, { detail, cause: error });
}

/** The error a store rejects with once it has been closed. */
export function storeClosed(url: string): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `The legacy store ${redactUrl(url)} has been closed.`);
}

/** The error a store rejects with when the overall deadline of a call passes. */
export function storeTimedOut(url: string, queryTimeoutInMs: number): LegacyStoreError {
  return new LegacyStoreError(
    LegacyStoreErrorCode.TIMEOUT,
    `The legacy store ${redactUrl(url)} did not answer within ${queryTimeoutInMs} ms.`,
  );
}
