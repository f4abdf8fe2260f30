import type { WebServiceAuth, WebServiceMode } from '../../../config/legacy-web-service-settings.js';
import type { SignInAttempt } from '../../authority.js';

/** The body of one password check, as the contract documents it (docs/legacy-web-service.md). */
export interface VerifyRequestBody {
  username: string;
  password: string;
  email: string | null;
  objectId: string;
}

/**
 * The JSON body POSTed for one sign-in: `{"username", "password", "email", "objectId"}`, nothing else. It holds the
 * password: it goes to the socket and nowhere else (never a log, never an error).
 *
 * @example
 *   verifyRequestBody({ username: 'ada@example.com', password, email: null, objectId })
 *   // '{"username":"ada@example.com","password":"…","email":null,"objectId":"…"}'
 */
export function verifyRequestBody(attempt: SignInAttempt): string {
  const body: VerifyRequestBody = {
    username: attempt.username,
    password: attempt.password,
    email: attempt.email,
    objectId: attempt.objectId,
  };
  return JSON.stringify(body);
}

/**
 * The header that tells the service the caller is us, from LEGACY_VERIFY_AUTH: `Authorization: Bearer` (RFC 6750
 * §2.1), `Authorization: Basic` over the UTF-8 `user:password` (RFC 7617 §2.1), or a header of the service's choosing
 * (`X-Api-Key`, Azure Functions' `x-functions-key`). Empty without LEGACY_VERIFY_AUTH.
 *
 * @example
 *   authHeaders({ kind: 'basic', user: 'jit', password: 'p:w' }) // { authorization: 'Basic aml0OnA6dw==' }
 */
export function authHeaders(auth: WebServiceAuth | null): Record<string, string> {
  switch (auth?.kind) {
    case undefined:
      return {};
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` };
    case 'basic':
      return { authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}` };
    case 'header':
      return { [auth.name.toLowerCase()]: auth.value };
  }
}

/** Every header of a password check: the JSON body, what we accept back, who we are. */
export function verifyRequestHeaders(auth: WebServiceAuth | null, mode: WebServiceMode): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: mode === 'json' ? 'application/json' : '*/*',
    'user-agent': 'entra-migrate',
    ...authHeaders(auth),
  };
}
