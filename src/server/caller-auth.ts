import type { FastifyReply, FastifyRequest } from 'fastify';
import { EntraMigrateError } from '../common/errors.js';
import { errorBody } from '../handlers/index.js';

export interface CallerTokenVerifier {
  /** `requestHost` is the request's `Host` header: an identifier-URI `aud` must name it unless a resource id is configured. */
  verify(authorizationHeader: string | undefined, request: { requestHost: string | undefined }): Promise<unknown>;
}

/**
 * An `onRequest` hook that lets a request through only with a valid Entra caller token. Runs before the body
 * is read, so nothing from an unauthenticated caller is parsed.
 *
 * RFC 6750 §3: 401 with `WWW-Authenticate: Bearer`; `error="invalid_token"` once a token was presented.
 */
export function requireCallerToken(verifier: CallerTokenVerifier) {
  return async function verifyCaller(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization;
    try {
      await verifier.verify(header, { requestHost: request.host });
    } catch (error) {
      if (reply.sent) return; // the deadline guard answered while the token was being checked
      const code = error instanceof EntraMigrateError ? error.code : 'TOKEN_INVALID';
      const message = error instanceof EntraMigrateError ? error.publicMessage : 'The bearer token is not valid.';
      request.log.info({ code, detail: error instanceof Error ? error.message : undefined }, 'caller token refused');
      const challenge = header ? `Bearer error="invalid_token", error_description="${message.replace(/"/g, "'")}"` : 'Bearer';
      await reply.code(401).header('www-authenticate', challenge).send(errorBody(code, message));
    }
  };
}
