import { EventError, EventErrorCode } from '../events/index.js';
import { errorBody, type ErrorBody } from './error-body.js';
import type { EventHandler, EventName, EventOutcome, EventResult } from './event-outcome.js';

/**
 * Runs one event handler and keeps the duty every adapter shares: whatever the handler does, the caller gets an
 * answer Entra reads as what it is. A handler that throws — its builder refused the answer it made (a handler bug
 * Entra would fail with 1003003/1003010/1003012) or anything else — becomes a 500 with a stable code
 * (`EVENT_RESPONSE_INVALID` or `INTERNAL_ERROR`) and an outcome for the log and the audit row, never a malformed 200
 * and never a stack. The Fastify routes and the library's adapters call this, so the rule exists once.
 *
 * @example
 *   const result = await answerEvent('OnOtpSend', handleOtpSend, body, deps, { receivedAt });
 *   reply.code(result.status).send(result.body);
 */
export async function answerEvent<Deps extends { clock: () => number }, Response>(
  event: EventName,
  handle: EventHandler<Deps, Response>,
  body: unknown,
  deps: Deps,
  options: { receivedAt: number; answerBy?: number },
): Promise<EventResult<Response>> {
  try {
    return await handle(body, deps, options);
  } catch (error) {
    const failure = handlerFailure(event, body, error, deps.clock() - options.receivedAt);
    return { status: 500, body: failure.body, outcome: failure.outcome };
  }
}

/**
 * The 500 for a handler that threw. The outcome's correlation id is the body's when it has a plausible one; its
 * detail is the error's own message, which never holds a value from the request (the events' errors quote paths).
 */
function handlerFailure(event: EventName, body: unknown, error: unknown, latencyInMs: number): { body: ErrorBody; outcome: EventOutcome } {
  const invalidAnswer = error instanceof EventError && error.code === EventErrorCode.RESPONSE_INVALID;
  const code = invalidAnswer ? EventErrorCode.RESPONSE_INVALID : 'INTERNAL_ERROR';
  const message = invalidAnswer ? 'The extension built an answer Entra would not accept.' : 'The extension could not process the request.';
  const correlationId = (body as { data?: { authenticationContext?: { correlationId?: unknown } } } | null)?.data?.authenticationContext?.correlationId;
  return {
    body: errorBody(code, message),
    outcome: {
      event,
      correlationId: typeof correlationId === 'string' && correlationId.length > 0 && correlationId.length <= 128 ? correlationId : 'unknown',
      objectId: null,
      action: 'error',
      status: 500,
      reason: 'handler-failed',
      legacyId: null,
      errorCode: code,
      errorDetail: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : 'a non-error was thrown',
      latencyInMs,
    },
  };
}
