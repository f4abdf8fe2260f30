import { EntraMigrateError } from '../common/errors.js';
import { errorBody, type ErrorBody } from './error-body.js';
import { SecurityErrorCode } from '../security/errors.js';

/**
 * The answers every adapter gives before a handler runs — a caller token refused, a body too large or not JSON, a
 * call that could not be answered in time — in one place, so the Fastify server and the library's endpoint (and
 * any adapter built on it) send the same status, header and body.
 */

/** Largest request body read, in bytes. Entra's callouts are a few KiB; 64 KiB leaves room and refuses abuse. */
export const BODY_LIMIT_IN_BYTES = 64 * 1024;

/** The body of a 400 for a request body that is not JSON. */
export const BODY_INVALID: ErrorBody = errorBody('BODY_INVALID', 'The request body is not valid JSON.');
/** The body of a 413 for a request body over {@link BODY_LIMIT_IN_BYTES}. */
export const BODY_TOO_LARGE: ErrorBody = errorBody('BODY_TOO_LARGE', `The request body is larger than ${BODY_LIMIT_IN_BYTES} bytes.`);
/** The body of the 503 for a call not answerable by its deadline (Entra treats it as the failure a late answer would be). */
export const DEADLINE_EXCEEDED: ErrorBody = errorBody('DEADLINE_EXCEEDED', 'The extension could not answer in time.');

/** What a refused caller token is answered, and what to log (never the token). */
export interface CallerTokenRefusal {
  /** 401, or 503 when the token could not be checked because Entra's signing keys cannot be fetched right now. */
  status: 401 | 503;
  /** The response headers: `WWW-Authenticate` on a 401, `Retry-After` on a 503. */
  headers: Record<string, string>;
  /** The `WWW-Authenticate` header. */
  challenge: string;
  body: ErrorBody;
  /** For the log line: the error's stable code and its internal detail. */
  code: string;
  detail: string | undefined;
}

/** Seconds a caller is told to wait when Entra's signing keys cannot be fetched: the signing-key refresh cooldown. */
const SIGNING_KEYS_RETRY_AFTER_IN_SECONDS = 30;

/**
 * The 401 for a caller token the verifier refused (RFC 6750 §3): `WWW-Authenticate: Bearer` when no token was
 * presented, with `error="invalid_token"` and the public reason once one was. Only an error of ours lends its public
 * message; anything else is "The bearer token is not valid." A token that could not be checked at all, because
 * Entra's OpenID metadata cannot be fetched (`SIGNING_KEYS_UNAVAILABLE`), is not refused but unanswerable for now:
 * 503 with `Retry-After`, as any other dependency outage.
 *
 * @example
 *   const refusal = callerTokenRefusal(error, request.headers.authorization);
 *   reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
 */
export function callerTokenRefusal(error: unknown, authorizationHeader: string | undefined): CallerTokenRefusal {
  const code = error instanceof EntraMigrateError ? error.code : 'TOKEN_INVALID';
  const message = error instanceof EntraMigrateError ? error.publicMessage : 'The bearer token is not valid.';
  const challenge = authorizationHeader ? `Bearer error="invalid_token", error_description="${message.replace(/"/g, "'")}"` : 'Bearer';
  const detail = error instanceof Error ? error.message : undefined;
  if (code === SecurityErrorCode.SIGNING_KEYS_UNAVAILABLE) {
    return { status: 503, headers: { 'retry-after': String(SIGNING_KEYS_RETRY_AFTER_IN_SECONDS) }, challenge, body: errorBody(code, message), code, detail };
  }
  return { status: 401, headers: { 'www-authenticate': challenge }, challenge, body: errorBody(code, message), code, detail };
}
