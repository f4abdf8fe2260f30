import Fastify, { LogController, type FastifyError } from 'fastify';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { BODY_INVALID, BODY_LIMIT_IN_BYTES, BODY_TOO_LARGE, errorBody, type AttributeCollectionDeps, type EventName, type EventOutcome, type OtpSendDeps, type PasswordSubmitDeps, type PasswordSubmitOutcome, type TokenIssuanceStartDeps } from '../handlers/index.js';
import type { CallerTokenVerifier } from './caller-auth.js';
import type { ReadinessCheck } from './readiness.js';
import { attributeCollectionStartRoutes } from './routes/attribute-collection-start.js';
import { attributeCollectionSubmitRoutes } from './routes/attribute-collection-submit.js';
import type { ExtensionMetrics, ExtensionMetricsRecorder } from '../metrics/extension-metrics.js';
import { traceCallouts, withCheckSpans } from '../telemetry/index.js';
import type { Tracer } from '@opentelemetry/api';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { otpSendRoutes } from './routes/otp-send.js';
import { passwordSubmitRoutes } from './routes/password-submit.js';
import { tokenIssuanceStartRoutes } from './routes/token-issuance-start.js';
import { answerClientError, trackAnswersBeforeTheBody } from './client-errors.js';
import { capConnections } from './connection-cap.js';
import { createSendMargin, type SendMargin } from './send-margin.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The event a callout route answers (its POST only, so probes are not counted as callouts), for metrics. */
    event?: EventName;
  }
  interface FastifyRequest {
    /** When the request arrived (the deadline counts from here), in ms since the epoch. */
    receivedAt: number;
    outcome: PasswordSubmitOutcome | undefined;
  }
}

/** Largest request body, in bytes (handlers/refusals.ts: one limit for every adapter); over it, 413. */
export { BODY_LIMIT_IN_BYTES };

/**
 * How long a connection may take over each part of an exchange, sized for Entra's protocol: it waits at most
 * 2000 ms for the whole call (`timeoutInMilliseconds` ≤ 2000) and sends about 3 KiB, headers and body in a few
 * packets. A client slower than that cannot be Entra waiting for an answer, only someone holding a connection.
 */
export const SERVER_TIMEOUTS = Object.freeze({
  /** From the connection's first byte (or the end of the previous request) to the end of the headers: Entra's whole budget. */
  headersTimeoutInMs: 2000,
  /** Headers and body both received, or 408 and the connection closed: Entra's whole budget; an answer after it is unused. */
  requestTimeoutInMs: 2000,
  /**
   * How often Node looks for connections over those two, in ms (its default, 30 s, would let a trickling client
   * hold on for half a minute). Each look is a walk over the open connections, at most MAX_CONNECTIONS of them.
   */
  connectionsCheckingIntervalInMs: 500,
  /**
   * An idle keep-alive connection is closed after this, in ms: Node's own default. A proxy in front should close
   * its idle connections to us sooner, as with any Node server.
   */
  keepAliveTimeoutInMs: 5000,
  /** A socket with no traffic at all for this long is destroyed, in ms: the backstop, longer than any answer takes. */
  connectionTimeoutInMs: 10_000,
});

/** Connections open at once when ServerDeps says nothing (see MAX_CONNECTIONS in config/serve-config.ts). */
const DEFAULT_MAX_CONNECTIONS = 512;

/** The status logged and counted for a callout whose caller closed the connection first (nginx's 499: none is sent). */
const CLIENT_CLOSED_REQUEST_STATUS = 499;

export interface ServerDeps {
  logger: Logger;
  clock: Clock;
  callerTokenVerifier: CallerTokenVerifier;
  passwordSubmit: PasswordSubmitDeps;
  readiness: readonly ReadinessCheck[];
  onOutcome: (outcome: PasswordSubmitOutcome) => void;
  /**
   * Connections held at once (MAX_CONNECTIONS). Default 512. At the cap, a new connection closes the oldest one that
   * has no request in progress (still sending its headers, or idle); only when all are mid-request is it closed itself.
   */
  maxConnections?: number;
  /** The event loop's measured delay and the send margin from it; default one measuring this process, closed with the server. */
  sendMargin?: SendMargin;
  /**
   * The sign-up routes (`/events/attribute-collection-start` and `…-submit`), answered with these policies; told
   * about every answer after it is sent (the ledger subscribes). Without it, those paths are 404.
   */
  signUp?: { deps: AttributeCollectionDeps };
  /** `/events/token-issuance-start` (a custom claims provider), answered with these deps; without it, 404. */
  tokenIssuanceStart?: { deps: TokenIssuanceStartDeps };
  /** `/events/otp-send` (one-time codes through our own e-mail provider); without it, 404. */
  otpSend?: { deps: OtpSendDeps };
  /** Told about every answer of an event other than OnPasswordSubmit, after it is sent (the ledger's audit row). Must not throw. */
  onEventOutcome?: (outcome: EventOutcome) => void;
  /**
   * The Prometheus metrics: every answer counted and timed in `metrics` (unless `recorder` is given), and `GET
   * /metrics` on this server when `onCalloutPort` (METRICS_TOKEN set, METRICS_PORT not), behind `token`. Without it,
   * /metrics is 404.
   */
  metrics?: { metrics: ExtensionMetrics; token: string | undefined; onCalloutPort: boolean };
  /**
   * Where every answer is counted and timed when that is more than the Prometheus metrics (metrics/every-recorder.ts:
   * Prometheus and OpenTelemetry together, or OpenTelemetry alone); default `metrics.metrics`. Neither: nothing counted.
   */
  recorder?: ExtensionMetricsRecorder;
  /**
   * One SERVER span per callout and a child span per legacy password check (telemetry/callout-spans.ts), made with
   * this tracer (`startTelemetry`'s). Without it, no span is made and the routes pay nothing for tracing.
   */
  tracer?: Tracer;
}

/** Fixed public texts for framework-level refusals; the framework's own messages can quote the body. */
const CLIENT_ERRORS: Record<number, { code: string; message: string }> = {
  400: BODY_INVALID.error,
  404: { code: 'NOT_FOUND', message: 'There is nothing at this path.' },
  405: { code: 'METHOD_NOT_ALLOWED', message: 'This method is not allowed here.' },
  413: BODY_TOO_LARGE.error,
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The request body must be application/json.' },
};

/**
 * The extension's HTTP server. The CLI only calls `listen`; tests call `inject`.
 *
 * @example
 *   const app = await buildServer(deps);
 *   await app.listen({ port: 7071, host: '0.0.0.0' });
 */
export async function buildServer(deps: ServerDeps) {
  const app = Fastify({
    loggerInstance: deps.logger.child({ name: 'server' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_IN_BYTES,
    return503OnClosing: true,
    // secure-json-parse: a body trying prototype poisoning is refused with 400, not parsed.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Slow clients (a trickled header or body) are cut off by the protocol's own clock, not held for minutes.
    http: {
      headersTimeout: SERVER_TIMEOUTS.headersTimeoutInMs,
      requestTimeout: SERVER_TIMEOUTS.requestTimeoutInMs,
      connectionsCheckingInterval: SERVER_TIMEOUTS.connectionsCheckingIntervalInMs,
    },
    requestTimeout: SERVER_TIMEOUTS.requestTimeoutInMs,
    keepAliveTimeout: SERVER_TIMEOUTS.keepAliveTimeoutInMs,
    connectionTimeout: SERVER_TIMEOUTS.connectionTimeoutInMs,
    // Bytes that never became a request get our error body and Connection: close, not Fastify's own JSON.
    clientErrorHandler: answerClientError,
  });
  // At the cap, a new connection replaces the oldest one with no request in progress (server/connection-cap.ts):
  // connections that trickle or say nothing cannot shut Entra out by holding every slot.
  capConnections(app.server, deps.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
  trackAnswersBeforeTheBody(app.server);

  // Entra sends JSON only; without this, Fastify's built-in text/plain parser would hand a string to the handler.
  app.removeContentTypeParser(['text/plain']);

  app.decorateRequest('receivedAt', 0);
  app.decorateRequest('outcome', undefined);
  app.decorateRequest('eventOutcome', undefined);
  // The hooks every request runs take `done` rather than being async: a callout pays no promise for them.
  app.addHook('onRequest', (request, _reply, done) => {
    request.receivedAt = deps.clock();
    done();
  });

  // Draining (SIGTERM): `close()` stops the listener and closes the keep-alive connections idle at that moment, but a
  // connection whose callout is still being answered goes back to idle afterwards and would hold the process open
  // until the client or keepAliveTimeoutInMs closes it (test/deploy/drain.test.ts saw 3.6 s). Every answer sent
  // once closing has begun says `Connection: close`, so Node ends its connection as soon as the answer is out.
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (draining && request.raw.httpVersionMajor === 1) reply.header('connection', 'close');
    done(null, payload);
  });

  const recorder = deps.recorder ?? deps.metrics?.metrics;
  // A caller that hangs up before its answer is out gets no onResponse (Fastify runs it on the response's 'finish'):
  // on a callout route one line still says so, at the moment it happens, and the answer is counted as 499, so that a
  // callout Entra gave up on (its 2 s limit) leaves a trace. Whatever the handler decides afterwards reaches no one.
  app.addHook('onRequest', (request, reply, done) => {
    const event = request.routeOptions.config?.event;
    if (!event) return done();
    reply.raw.once('close', () => {
      if (reply.sent || reply.raw.writableFinished) return; // answered (inject's responses close without finishing)
      const latencyInMs = deps.clock() - request.receivedAt;
      recorder?.answered({ event, action: 'error', status: CLIENT_CLOSED_REQUEST_STATUS, seconds: latencyInMs / 1000 });
      request.log.warn(
        { method: request.method, path: request.routeOptions.url ?? 'unmatched', status: CLIENT_CLOSED_REQUEST_STATUS, code: 'CLIENT_CLOSED_REQUEST', latencyInMs },
        'request: the caller closed the connection before the answer was sent',
      );
    });
    done();
  });

  // One line per request: what was asked, what we answered, how long it took. Never a body or a header.
  app.addHook('onResponse', (request, reply, done) => {
    const outcome = request.outcome ?? request.eventOutcome;
    const event = request.routeOptions.config?.event;
    if (recorder && event) {
      const action = reply.statusCode === 200 ? (outcome?.action ?? 'unknown') : 'error';
      recorder.answered({ event, action, status: reply.statusCode, seconds: (deps.clock() - request.receivedAt) / 1000 });
    }
    request.log.info(
      {
        method: request.method,
        path: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        latencyInMs: deps.clock() - request.receivedAt,
        ...(outcome && {
          correlationId: outcome.correlationId,
          action: outcome.action,
          reason: outcome.reason,
          errorCode: outcome.errorCode,
          ...(outcome.errorDetail && { errorDetail: outcome.errorDetail }),
        }),
      },
      'request',
    );
    done();
  });

  if (deps.tracer) traceCallouts(app, deps.tracer);

  app.setNotFoundHandler(async (_request, reply) => reply.code(404).send(errorBody(CLIENT_ERRORS[404]!.code, CLIENT_ERRORS[404]!.message)));

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    const known = CLIENT_ERRORS[status];
    if (status >= 400 && status < 500) {
      request.log.info({ code: error.code, status }, 'request refused');
      return reply.code(status).send(errorBody(known?.code ?? 'BAD_REQUEST', known?.message ?? 'The request was refused.'));
    }
    // Anything unknown becomes a generic body and one error-level line; never a stack in the answer.
    request.log.error({ errorName: error.name, code: error.code, detail: error.message }, 'unexpected error');
    return reply.code(500).send(errorBody('INTERNAL_ERROR', 'The extension could not process the request.'));
  });

  await app.register(healthRoutes, { readiness: deps.readiness });
  if (deps.metrics?.onCalloutPort) await app.register(metricsRoutes, { metrics: deps.metrics.metrics, token: deps.metrics.token });
  // The deadline's send margin follows this process's event-loop delay (server/send-margin.ts).
  const sendMargin = deps.sendMargin ?? createSendMargin();
  if (!deps.sendMargin) app.addHook('onClose', async () => sendMargin.close());
  await app.register(passwordSubmitRoutes, {
    deps: {
      ...deps.passwordSubmit,
      sendMarginInMs: deps.passwordSubmit.sendMarginInMs ?? sendMargin.inMs,
      ...(deps.tracer && { legacy: withCheckSpans(deps.passwordSubmit.legacy, deps.tracer) }),
    },
    overloaded: sendMargin.overloaded,
    callerTokenVerifier: deps.callerTokenVerifier,
    onOutcome: deps.onOutcome,
  });
  const eventOptions = { overloaded: sendMargin.overloaded, callerTokenVerifier: deps.callerTokenVerifier, onOutcome: deps.onEventOutcome ?? (() => undefined) };
  const withMargin = <Deps extends { sendMarginInMs?: () => number }>(eventDeps: Deps): Deps => ({ ...eventDeps, sendMarginInMs: eventDeps.sendMarginInMs ?? sendMargin.inMs });
  if (deps.signUp) {
    for (const routes of [attributeCollectionStartRoutes, attributeCollectionSubmitRoutes]) await app.register(routes, { ...eventOptions, deps: withMargin(deps.signUp.deps) });
  }
  if (deps.tokenIssuanceStart) await app.register(tokenIssuanceStartRoutes, { ...eventOptions, deps: withMargin(deps.tokenIssuanceStart.deps) });
  if (deps.otpSend) await app.register(otpSendRoutes, { ...eventOptions, deps: withMargin(deps.otpSend.deps) });
  return app;
}

export type ExtensionServer = Awaited<ReturnType<typeof buildServer>>;
