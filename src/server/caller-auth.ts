import type { FastifyReply, FastifyRequest } from 'fastify';
import { callerTokenRefusal } from '../handlers/index.js';

export interface CallerTokenVerifier {
  /** `requestHost` is the request's `Host` header: an identifier-URI `aud` must name it unless a resource id is configured. */
  verify(authorizationHeader: string | undefined, request: { requestHost: string | undefined }): Promise<unknown>;
}

/**
 * An `onRequest` hook that lets a request through only with a valid Entra caller token. Runs before the body
 * is read, so nothing from an unauthenticated caller is parsed.
 *
 * RFC 6750 §3: 401 with `WWW-Authenticate: Bearer`; `error="invalid_token"` once a token was presented. 503 with
 * `Retry-After` when the token cannot be checked because Entra's signing keys cannot be fetched.
 */
export function requireCallerToken(verifier: CallerTokenVerifier) {
  return async function verifyCaller(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization;
    try {
      await verifier.verify(header, { requestHost: request.host });
    } catch (error) {
      if (reply.sent) return; // the deadline guard answered while the token was being checked
      const refusal = callerTokenRefusal(error, header);
      request.log.info({ code: refusal.code, detail: refusal.detail }, 'caller token refused');
      await reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
    }
  };
}
