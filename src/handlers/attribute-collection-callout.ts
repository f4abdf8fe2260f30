import { EventError } from '../events/index.js';
import type { AttributeCollectionDeps, SignUpOutcome, SignUpReason } from './attribute-collection-policy.js';
import { errorBody, type ErrorBody } from './error-body.js';
import { answerByOf } from './password-submit.js';

/** What a sign-up handler decided: the answer's action, and why, for the request log line and the ledger. */
export interface SignUpDecision<Answer extends { action: string }> {
  answer: Answer;
  reason: SignUpReason;
  legacyId: string | null;
  errorCode: string | null;
  errorDetail: string | null;
}

/** A sign-up callout's answer: 200 with the event's response and the outcome, or 400 for a request that is not one. */
export type AttributeCollectionResult<Response> =
  | { status: 200; body: Response; outcome: SignUpOutcome }
  | { status: 400; body: ErrorBody; rejection: { code: string; detail: string } };

/** One attribute collection event: its name, how its request is read, decided and its answer built. */
export interface AttributeCollectionEvent<Request extends { data: { authenticationContext: { correlationId: string } } }, Answer extends { action: string }, Response> {
  name: SignUpOutcome['event'];
  parse(body: unknown, options: { tenantId: string }): Request;
  decide(request: Request, deps: AttributeCollectionDeps, deadlineAt: number): Promise<SignUpDecision<Answer>>;
  build(answer: Answer): Response;
}

/**
 * The course both attribute collection handlers share: the request read (a malformed one is a 400 naming the
 * problem), the deadline fixed (the server's, or from arrival), the event's decision, its answer built, and the outcome.
 */
export async function answerAttributeCollection<Request extends { data: { authenticationContext: { correlationId: string } } }, Answer extends { action: string }, Response>(
  event: AttributeCollectionEvent<Request, Answer, Response>,
  body: unknown,
  deps: AttributeCollectionDeps,
  options: { receivedAt: number; answerBy?: number },
): Promise<AttributeCollectionResult<Response>> {
  let request: Request;
  try {
    request = event.parse(body, { tenantId: deps.tenantId });
  } catch (error) {
    if (error instanceof EventError) return { status: 400, body: errorBody(error.code, error.publicMessage), rejection: { code: error.code, detail: error.message } };
    throw error;
  }
  const deadlineAt = options.answerBy ?? answerByOf(options.receivedAt, deps);
  const decision = await event.decide(request, deps, deadlineAt);
  return {
    status: 200,
    body: event.build(decision.answer),
    outcome: {
      correlationId: request.data.authenticationContext.correlationId,
      event: event.name,
      objectId: null,
      action: decision.answer.action,
      status: 200,
      reason: decision.reason,
      legacyId: decision.legacyId,
      errorCode: decision.errorCode,
      errorDetail: decision.errorDetail,
      latencyInMs: deps.clock() - options.receivedAt,
    },
  };
}
