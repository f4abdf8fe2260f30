import type { EventName } from '../events/index.js';
import type { ErrorBody } from './error-body.js';

export { EVENT_NAMES, type EventName } from '../events/index.js';

/**
 * What one event call was answered, for its request log line and its audit row in the ledger. By construction it
 * has no field for a password, a one-time code, a claim value, a token or an e-mail address.
 */
export interface EventOutcome {
  event: EventName;
  correlationId: string;
  /** The Entra user's object id when the event names one (token issuance), else null. */
  objectId: string | null;
  /** The action answered (`provideClaimsForToken` …), or `error` for an answer other than 200. */
  action: string;
  /** The HTTP status answered. */
  status: number;
  /** Why, as a stable token: `claims-from-legacy`, `otp-sent`, `sign-up-collision-blocked` … */
  reason: string;
  legacyId: string | null;
  /** The code of the error behind a degraded or failed answer (`LEGACY_STORE_TIMEOUT`, `OTP_PROVIDER_FAILED` …). */
  errorCode: string | null;
  /** What that error says, for the log line only (never a secret, never a recipient). */
  errorDetail: string | null;
  latencyInMs: number;
}

/**
 * A handler's answer to one callout: 200 with the event's response; 400 for a body that is not the event (nothing
 * was decided, so no outcome); or an HTTP error Entra treats as the extension failing (an OTP send that failed, so
 * that Entra falls back to its own provider; token claims refused because the legacy store did not answer).
 */
export type EventResult<Response> =
  | { status: 200; body: Response; outcome: EventOutcome }
  | { status: 400; body: ErrorBody; rejection: { code: string; detail: string } }
  | { status: 500 | 502 | 503 | 504; body: ErrorBody; outcome: EventOutcome };

/**
 * The adapter-neutral shape of every event handler but OnPasswordSubmit's: the parsed JSON body (the caller token
 * already verified), its dependencies, and when it arrived (`answerBy`, when set, is when the answer is due).
 * The Fastify routes, the library's adapters and the tests all call handlers through it.
 */
export type EventHandler<Deps, Response> = (body: unknown, deps: Deps, options: { receivedAt: number; answerBy?: number }) => Promise<EventResult<Response>>;

/** What every handler's deps carry for the deadline: the clock, the event's deadline and the send margin. */
export interface DeadlineDeps {
  readonly clock: () => number;
  /** From arrival to answer, in ms (the event's `*_DEADLINE_MS`, RESPONSE_DEADLINE_MS by default). */
  readonly responseDeadlineInMs: number;
  readonly sendMarginInMs?: () => number;
}
