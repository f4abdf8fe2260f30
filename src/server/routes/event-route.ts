import type { FastifyPluginAsync } from 'fastify';
import { answerEvent, type DeadlineDeps, type EventHandler, type EventName, type EventOutcome } from '../../handlers/index.js';
import { inCalloutSpan } from '../../telemetry/callout-spans.js';
import { requireCallerToken, type CallerTokenVerifier } from '../caller-auth.js';
import { answerByDeadline } from '../deadline-guard.js';
import { errorSchema } from '../error-schema.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** What an event callout other than OnPasswordSubmit was answered, for the request log line and `onOutcome`. */
    eventOutcome: EventOutcome | undefined;
  }
}

export interface EventRoutesOptions<Deps extends DeadlineDeps> {
  deps: Deps;
  callerTokenVerifier: CallerTokenVerifier;
  /** Told about every answer (200 or an HTTP error), after it is sent: the ledger's audit row subscribes here. Must not throw. */
  onOutcome: (outcome: EventOutcome) => void;
  /** True while the event loop is too far behind to answer in time: new callouts are refused at once (503). */
  overloaded?: () => boolean;
}

/** What one event's route is: its path, its name, its response schema (JSON Schema) and its handler. */
export interface EventRoute<Deps extends DeadlineDeps, Response> {
  path: string;
  event: EventName;
  responseSchema: unknown;
  handle: EventHandler<Deps, Response>;
}

/**
 * The plugin for one event other than OnPasswordSubmit: `POST path` (the callout, behind the deadline guard and the
 * caller-token check, its answer serialised through `responseSchema`, the allow-list of fields we may send) and
 * `GET path` (a probe answering 200 without a token, like the password route's).
 *
 * The duties every event shares, here once: the same caller-token rules; a body that is not the event is a 400
 * naming the problem; an answer the handler built against the event's schema, and a handler that failed to build
 * one (its builder refused it, or it threw) is a logged 500 with an error code — never a malformed 200 (Entra's
 * 1003003/1003010/1003012); an answer inside the deadline; one outcome per answered call for the audit row.
 *
 * @example
 *   export const otpSendRoutes = eventRoutes({ path: '/events/otp-send', event: 'OnOtpSend', responseSchema, handle: handleOtpSend });
 */
export function eventRoutes<Deps extends DeadlineDeps, Response>(route: EventRoute<Deps, Response>): FastifyPluginAsync<EventRoutesOptions<Deps>> {
  const { path, event, responseSchema, handle } = route;
  return async (app, options) => {
    const verifyCaller = requireCallerToken(options.callerTokenVerifier);
    const guardDeadline = answerByDeadline({ ...options.deps, overloaded: options.overloaded ?? (() => false) });
    if (!app.hasRequestDecorator('answerBy')) app.decorateRequest('answerBy', 0);

    app.get(path, async () => ({ status: 'ok', event }));

    app.post(
      path,
      {
        onRequest: [guardDeadline, verifyCaller],
        schema: { response: { 200: responseSchema, '4xx': errorSchema, '5xx': errorSchema } },
        config: { event },
      },
      async (request, reply) => {
        if (reply.sent) return; // the deadline guard answered while the body was on its way
        const result = await inCalloutSpan(request, () => answerEvent(event, handle, request.body, options.deps, { receivedAt: request.receivedAt, answerBy: request.answerBy }));
        if (result.status === 500) request.log.error({ code: result.outcome.errorCode, detail: result.outcome.errorDetail }, 'the handler could not build an answer');
        if (reply.sent) return;
        if (result.status === 400) {
          request.log.info({ code: result.rejection.code, detail: result.rejection.detail }, 'request refused');
          return reply.code(400).send(result.body);
        }
        request.eventOutcome = result.outcome;
        return reply.code(result.status).send(result.body);
      },
    );

    app.addHook('onResponse', async (request) => {
      if (request.eventOutcome && request.routeOptions.url === path) options.onOutcome(request.eventOutcome);
    });
  };
}
