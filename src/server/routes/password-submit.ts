import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { passwordSubmitResponseSchema } from '../../events/index.js';
import { handlePasswordSubmit, type PasswordSubmitDeps, type PasswordSubmitOutcome } from '../../handlers/index.js';
import { inCalloutSpan } from '../../telemetry/callout-spans.js';
import { requireCallerToken, type CallerTokenVerifier } from '../caller-auth.js';
import { answerByDeadline } from '../deadline-guard.js';
import { errorSchema } from '../error-schema.js';

export interface PasswordSubmitRoutesOptions {
  deps: PasswordSubmitDeps;
  callerTokenVerifier: CallerTokenVerifier;
  /** Told about every answer, after it is sent: the ledger and metrics subscribe here. Must not throw. */
  onOutcome: (outcome: PasswordSubmitOutcome) => void;
  /** True while the event loop is too far behind to answer in time: new callouts are refused at once (503). */
  overloaded?: () => boolean;
}

/** Fastify response schema derived from the protocol schema: the allow-list of fields we may send Entra. */
const responseSchema = z.toJSONSchema(passwordSubmitResponseSchema, { target: 'draft-7' });

/**
 * `POST /events/password-submit` (the OnPasswordSubmit callout) and `GET` on the same path (a probe that answers
 * 200 without a token, so setup and doctor can check reachability). Caller-token validation is registered here,
 * inside the plugin that owns the extension route, not globally.
 */
export const passwordSubmitRoutes: FastifyPluginAsync<PasswordSubmitRoutesOptions> = async (app, options) => {
  const verifyCaller = requireCallerToken(options.callerTokenVerifier);
  const guardDeadline = answerByDeadline({ ...options.deps, overloaded: options.overloaded ?? (() => false) });
  app.decorateRequest('answerBy', 0);

  app.get('/events/password-submit', async () => ({ status: 'ok', event: 'OnPasswordSubmit' }));

  app.post(
    '/events/password-submit',
    {
      onRequest: [guardDeadline, verifyCaller],
      schema: { response: { 200: responseSchema, 400: errorSchema, 503: errorSchema } },
      config: { event: 'OnPasswordSubmit' },
    },
    async (request, reply) => {
      if (reply.sent) return; // the deadline guard answered while the body was on its way
      const result = await inCalloutSpan(request, () => handlePasswordSubmit(request.body, options.deps, { receivedAt: request.receivedAt, requestHost: request.host, answerBy: request.answerBy }));
      if (reply.sent) return; // ... or while the context was being decrypted
      if (result.status !== 200) {
        request.log[result.status === 503 ? 'warn' : 'info']({ code: result.rejection.code, detail: result.rejection.detail }, result.status === 503 ? 'request not answerable now' : 'request refused');
        return reply.code(result.status).send(result.body);
      }
      request.outcome = result.outcome;
      return reply.code(200).send(result.body);
    },
  );

  app.addHook('onResponse', (request, _reply, done) => {
    if (request.outcome) options.onOutcome(request.outcome);
    done();
  });
};
