import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventOutcome, PasswordSubmitOutcome } from '../handlers/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The SERVER span of a callout (a route whose config names an event), while tracing is on; else undefined. */
    calloutSpan: Span | undefined;
  }
}

/**
 * The attributes a callout span carries: the event, Entra's correlation id (to find the sign-in in Entra's logs),
 * what we answered and why, as fixed tokens. The only values taken from a request are the event (the route's own)
 * and the correlation id, and that only once it has the shape of a GUID. Never a user, an e-mail, a password, a
 * claim, a code, a header or a body.
 */
export const CalloutAttribute = {
  EVENT: 'entra.event',
  CORRELATION_ID: 'entra.correlation_id',
  ACTION: 'entra_migrate.action',
  REASON: 'entra_migrate.outcome',
  ERROR_CODE: 'entra_migrate.error_code',
  STATUS: 'http.response.status_code',
  METHOD: 'http.request.method',
  ROUTE: 'http.route',
} as const;

/** Entra's correlation ids are GUIDs; anything else a caller put there is not copied into telemetry. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Our error bodies' codes (`errorBody`): upper-case tokens. The framework's or a handler's, never free text. */
const ERROR_CODE = /"code":"([A-Z][A-Z0-9_]{0,63})"/;

/**
 * One SERVER span per callout, named for its event (`OnPasswordSubmit`, `OnOtpSend` …): started when the request
 * arrives (before the caller-token check, so a refused token is a span too), ended when the answer has been sent,
 * with what was answered, or when the connection closed before it (CLIENT_CLOSED_REQUEST). A 5xx answer is status ERROR with its error code as the only message. Routes without an
 * event in their config (probes, /healthz, /metrics) are not traced. The span is a root: Entra sends no trace
 * context, and a `traceparent` from anyone else is not trusted to choose sampling.
 *
 * The handlers stay plain functions: the route runs them inside `inCalloutSpan`, so spans made below (the legacy
 * check's) become this span's children.
 *
 * @example
 *   if (deps.tracer) traceCallouts(app, deps.tracer); // before the routes are registered
 */
export function traceCallouts<Logger extends FastifyBaseLogger>(app: FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>, tracer: Tracer): void {
  app.decorateRequest('calloutSpan', undefined);
  const errorCodes = new WeakMap<object, string>();

  app.addHook('onRequest', async (request, reply) => {
    const event = request.routeOptions.config?.event;
    if (!event) return;
    const span = tracer.startSpan(
      event,
      { kind: SpanKind.SERVER, attributes: { [CalloutAttribute.EVENT]: event, [CalloutAttribute.METHOD]: request.method, [CalloutAttribute.ROUTE]: request.routeOptions.url ?? '' } },
      ROOT_CONTEXT,
    );
    request.calloutSpan = span;
    // A caller that hung up before its answer was out (or a connection the server's timeouts cut) gets no onResponse:
    // Fastify runs it on the response's 'finish'. The span still ends, as an error, when the connection closes first.
    reply.raw.once('close', () => {
      if (request.calloutSpan !== span || reply.raw.writableFinished) return;
      request.calloutSpan = undefined;
      const correlationId = correlationIdOf(request.body);
      span.setAttributes({
        [CalloutAttribute.ACTION]: 'error',
        [CalloutAttribute.ERROR_CODE]: 'CLIENT_CLOSED_REQUEST',
        ...(correlationId && GUID.test(correlationId) && { [CalloutAttribute.CORRELATION_ID]: correlationId.toLowerCase() }),
      });
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'CLIENT_CLOSED_REQUEST' });
      span.end();
    });
  });

  // An answer other than 200 is one of our error bodies ({"error":{"code":…,"message":…}}, fixed texts): its code is
  // the one thing about it the span keeps.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.calloutSpan && reply.statusCode >= 400 && typeof payload === 'string') {
      const code = ERROR_CODE.exec(payload.slice(0, 200))?.[1];
      if (code) errorCodes.set(request, code);
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const span = request.calloutSpan;
    if (!span) return;
    request.calloutSpan = undefined;
    const outcome: PasswordSubmitOutcome | EventOutcome | undefined = request.outcome ?? request.eventOutcome;
    const status = reply.statusCode;
    const errorCode = errorCodes.get(request) ?? outcome?.errorCode ?? undefined;
    const correlationId = outcome?.correlationId ?? correlationIdOf(request.body);
    const attributes: Attributes = {
      [CalloutAttribute.STATUS]: status,
      [CalloutAttribute.ACTION]: status === 200 ? (outcome?.action ?? 'unknown') : 'error',
    };
    if (correlationId && GUID.test(correlationId)) attributes[CalloutAttribute.CORRELATION_ID] = correlationId.toLowerCase();
    if (outcome?.reason) attributes[CalloutAttribute.REASON] = outcome.reason;
    if (errorCode) attributes[CalloutAttribute.ERROR_CODE] = errorCode;
    span.setAttributes(attributes);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode ?? `HTTP ${status}` });
    span.end();
  });
}

/**
 * Runs `work` with the request's callout span as the active span, so spans started inside it are its children; just
 * `work()` when the request has none (tracing off: nothing else is paid).
 *
 * @example
 *   const result = await inCalloutSpan(request, () => handlePasswordSubmit(request.body, deps, options));
 */
export function inCalloutSpan<Result>(request: Pick<FastifyRequest, 'calloutSpan'>, work: () => Result): Result {
  const span = request.calloutSpan;
  return span ? context.with(trace.setSpan(context.active(), span), work) : work();
}

/** Entra's `data.authenticationContext.correlationId`, read from a parsed body of any shape; undefined when absent. */
function correlationIdOf(body: unknown): string | undefined {
  const data = typeof body === 'object' && body !== null ? (body as { data?: unknown }).data : undefined;
  const authenticationContext = typeof data === 'object' && data !== null ? (data as { authenticationContext?: unknown }).authenticationContext : undefined;
  const correlationId = typeof authenticationContext === 'object' && authenticationContext !== null ? (authenticationContext as { correlationId?: unknown }).correlationId : undefined;
  return typeof correlationId === 'string' && correlationId.length <= 64 ? correlationId : undefined;
}
