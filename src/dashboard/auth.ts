import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sameSecret } from '../common/same-secret.js';

/** The cookie the sign-in form sets: a value derived from the token, never the token itself. */
export const SESSION_COOKIE = 'entra_migrate_dashboard';
/** How long a browser stays signed in: a working day. The token still has to be typed again after a restart of the browser. */
const SESSION_MAX_AGE_IN_S = 8 * 3600;

/**
 * True when `presented` is the token, in constant time (common/same-secret.ts: both sides hashed first, so neither
 * length shows).
 *
 * @example
 *   tokenMatches(request.headers.authorization?.slice(7), config.token)
 */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  return typeof presented === 'string' && sameSecret(presented, token);
}

/**
 * The session cookie's value for a token: an HMAC of a fixed label under the token. It proves the browser was given
 * the token without carrying it, and a new token ends every session.
 */
export function sessionValue(token: string): string {
  return createHmac('sha256', token).update('entra-migrate dashboard session v1').digest('base64url');
}

/** The `Set-Cookie` of a signed-in browser: HttpOnly (no script reads it), SameSite=Strict (no other site sends it). */
export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${sessionValue(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE_IN_S}${secure ? '; Secure' : ''}`;
}

/** The value of one cookie of a `Cookie` header, or undefined. */
function cookieOf(header: string | undefined, name: string): string | undefined {
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * True when the request carries the token: `Authorization: Bearer <token>` (scripts, curl) or the session cookie the
 * sign-in form set (a browser). Both compared in constant time.
 */
export function isAuthorised(request: FastifyRequest, token: string): boolean {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && /^Bearer /i.test(authorization)) return tokenMatches(authorization.slice(7).trim(), token);
  const cookie = cookieOf(request.headers.cookie, SESSION_COOKIE);
  return cookie !== undefined && tokenMatches(cookie, sessionValue(token));
}

/** The paths reachable without the token: the sign-in form, and the style sheet it uses. */
const OPEN_PATHS = new Set(['/login', '/assets/dashboard.css']);

/**
 * The `onRequest` hook that asks for the token: a browser asking for a page is sent to the sign-in form, anything
 * else gets 401 with a JSON body. Registered only when DASHBOARD_TOKEN is set.
 */
export function requireToken(token: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const path = request.url.split('?')[0]!;
    if (OPEN_PATHS.has(path) || isAuthorised(request, token)) return;
    if (request.method === 'GET' && path === '/') {
      await reply.code(303).header('location', '/login').send();
      return;
    }
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="entra-migrate dashboard"')
      .send({ error: 'unauthorised', message: 'This dashboard needs DASHBOARD_TOKEN: send it as "Authorization: Bearer <token>", or sign in at /login.' });
  };
}
