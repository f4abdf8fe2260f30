import type { FastifyPluginAsync } from 'fastify';
import type { AttributeCollectionDeps, ErrorBody, SignUpOutcome } from '../../handlers/index.js';
import { requireCallerToken, type CallerTokenVerifier } from '../caller-auth.js';
import { answerByDeadline } from '../deadline-guard.js';
import { errorSchema } from '../error-schema.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** What a sign-up callout was answered, for the request log line and `onSignUpOutcome`. */
    signUpOutcome: SignUpOutcome | undefined;
  }
}

export interface AttributeCollectionRoutesOptions {
  deps: AttributeCollectionDeps;
  callerTokenVerifier: CallerTokenVerifier;
  /** Told about every answer, after it is sent: the ledger subscribes here. Must not throw. */
  onOutcome: (outcome: SignUpOutcome) => void;
  /** True while the event loop is too far behind to answer in time: new callouts are refused at once (503). */
  overloaded?: () => boolean;
}

type Handler = (
  body: unknown,
  deps: AttributeCollectionDeps,
  options: { receivedAt: number; answerBy?: number },
) => Promise<{ status: 200; body: unknown; outcome: SignUpOutcome } | { status: 400; body: ErrorBody; rejection: { code: string; detail: string } }>;

/**
 * The plugin for one attribute collection event: `POST path` (the callout, behind the deadline guard and the
 * caller-token check, its answer serialised through `responseSchema`, the allow-list of fields we may send) and
 * `GET path` (a probe answering 200 without a token, like the password route's).
 *
 * @example
 *   export const attributeCollectionStartRoutes = attributeCollectionRoutes('/events/attribute-collection-start', 'OnAttributeCollectionStart', schema, handleAttributeCollectionStart);
 */
export function attributeCollectionRoutes(path: string, event: string, responseSchema: unknown, handle: Handler): FastifyPluginAsync<AttributeCollectionRoutesOptions> {
  return async (app, options) => {
    const verifyCaller = requireCallerToken(options.callerTokenVerifier);
    const guardDeadline = answerByDeadline({ ...options.deps, overloaded: options.overloaded ?? (() => false) });
    if (!app.hasRequestDecorator('answerBy')) app.decorateRequest('answerBy', 0);

    app.get(path, async () => ({ status: 'ok', event }));

    app.post(
      path,
      {
        onRequest: [guardDeadline, verifyCaller],
        schema: { response: { 200: responseSchema, 400: errorSchema, 503: errorSchema } },
      },
      async (request, reply) => {
        if (reply.sent) return; // the deadline guard answered while the body was on its way
        const result = await handle(request.body, options.deps, { receivedAt: request.receivedAt, answerBy: request.answerBy });
        if (reply.sent) return;
        if (result.status !== 200) {
          request.log.info({ code: result.rejection.code, detail: result.rejection.detail }, 'request refused');
          return reply.code(result.status).send(result.body);
        }
        request.signUpOutcome = result.outcome;
        return reply.code(200).send(result.body);
      },
    );

    app.addHook('onResponse', async (request) => {
      if (request.signUpOutcome && request.routeOptions.url === path) options.onOutcome(request.signUpOutcome);
    });
  };
}
