import type { Clock } from '../common/clock.js';
import { systemClock } from '../common/clock.js';
import { EntraMigrateError } from '../common/errors.js';
import { EventError, EventErrorCode } from '../events/index.js';
import { answerByOf, answerEvent, beforeDeadline, errorBody, type ErrorBody, type EventHandler, type EventName, type EventOutcome, type EventResult } from '../handlers/index.js';
import {
  createCallerTokenVerifier,
  createSigningKeySource,
  decryptPasswordContext,
  openIdConfigurationUrlsFor,
  SecurityError,
  SecurityErrorCode,
  type CallerClaims,
  type CallerTokenVerifier,
  type KeyRing,
  type PasswordContext,
} from '../security/index.js';
import { EVENT_KINDS, type EventAnswerOf, type EventRequestOf, type EventResponseOf } from './event-kinds.js';
import { readBody, type EventCallBody } from './read-body.js';
import { BODY_INVALID, BODY_TOO_LARGE, callerTokenRefusal, DEADLINE_EXCEEDED } from '../handlers/refusals.js';

/** One call as any HTTP framework sees it. */
export interface EventCall {
  /** The raw body (text, bytes or the request stream, read only after the caller token passed) or a parsed value. */
  body: EventCallBody;
  /** The `Authorization` header. */
  authorization: string | undefined;
  /** The `Host` header: an `api://{host}/{appId}` audience must name it unless `extensionResourceId` is set. */
  host: string | undefined;
  /** When the call arrived, in ms since the epoch; default: now. The deadline runs from here. */
  receivedAt?: number;
}

/** What to send back: write `status`, every header and `body` (JSON text) as they are. */
export interface EventAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A call answered with an error before any handler ran (400, 401, 413, or 503 before the caller was known), for the log line. */
export interface EventRefusal {
  status: number;
  code: string;
  /** The internal detail: never the token, never a value from the body. */
  detail: string | undefined;
}

/** What the handler is told besides the parsed request. */
export interface EventCallContext {
  receivedAt: number;
  /** When the answer is due, in ms since the epoch; `abortSignal` fires then. */
  answerBy: number;
  abortSignal: AbortSignal;
  /** What the verified caller token said (issuer, audience, caller app); never the token. */
  caller: CallerClaims;
  /** Adds to the call's outcome: why, as a stable token (`claims-from-legacy`), and the legacy account involved. */
  audit(note: { reason?: string; legacyId?: string | null }): void;
}

/** OnPasswordSubmit's handler also gets the decrypted password context. It holds a password: never log it. */
export type EventCallContextOf<E extends EventName> = E extends 'OnPasswordSubmit' ? EventCallContext & { password: PasswordContext } : EventCallContext;

/**
 * Your business logic for one event: the schema-validated request in, the event's answer out (built and validated
 * by the event's builder; an answer Entra would refuse becomes a 500 `EVENT_RESPONSE_INVALID`). Throw an
 * {@link EventCallFailure} to answer an HTTP error on purpose (an OTP provider that failed, so Entra falls back).
 */
export type EventHandle<E extends EventName> = (request: EventRequestOf<E>, context: EventCallContextOf<E>) => Promise<EventAnswerOf<E>> | EventAnswerOf<E>;

/**
 * Thrown by a handler to answer an HTTP error Entra reads as the extension failing: its status, and a body with its
 * stable code and public message. The outcome records the code.
 *
 * @example
 *   throw new EventCallFailure(502, 'OTP_PROVIDER_FAILED', 'The code could not be sent.');
 */
export class EventCallFailure extends EntraMigrateError {
  readonly status: 500 | 502 | 503 | 504;

  constructor(status: 500 | 502 | 503 | 504, code: string, publicMessage: string, options: { detail?: string; cause?: unknown } = {}) {
    super(code, publicMessage, options);
    this.status = status;
  }
}

export interface EventEndpointOptions<E extends EventName> {
  event: E;
  /** The tenant this extension serves: caller tokens and payloads naming another are refused. */
  tenantId: string;
  handle: EventHandle<E>;
  /** The caller-token check; default: Entra's rules for `tenantId` and `extensionAppId`, keys from the tenant's metadata. */
  verifier?: CallerTokenVerifier;
  /** The extension's app registration (its app id GUID): needed without `verifier`, and for OnPasswordSubmit. */
  extensionAppId?: string;
  /** The extension's identifier URI `api://{host}/{appId}`; unset, an `api://` audience must name the call's `Host`. */
  extensionResourceId?: string;
  /** OnPasswordSubmit: the private keys the password context is encrypted to (`loadKeyRing`). */
  keyRing?: KeyRing;
  /** From arrival to answer, in ms; at most 2000 (Entra's longest wait). Default 1500, as `serve`'s RESPONSE_DEADLINE_MS. */
  deadlineInMs?: number;
  clock?: Clock;
  /** The `fetch` the default verifier's key source uses (tests, proxies). */
  fetch?: typeof globalThis.fetch;
  /** Told once per call whose caller token passed and that was decided (200, or an HTTP error): the audit row. Must not throw. */
  onOutcome?: (outcome: EventOutcome) => void;
  /** Told once per call refused before a handler ran (400, 401, 413, 503): the log line. Must not throw. */
  onRefusal?: (refusal: EventRefusal) => void;
}

/** An endpoint: one call in, one answer out, always by the deadline. */
export type EventEndpoint = (call: EventCall) => Promise<EventAnswer>;

const DEFAULT_DEADLINE_IN_MS = 1500;
/** Entra waits at most 2000 ms (`timeoutInMilliseconds`); a later deadline could only answer too late. */
const MAX_DEADLINE_IN_MS = 2000;
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } as const;

type Reply = { answer: EventAnswer; outcome?: EventOutcome; refusal?: EventRefusal };

/**
 * An adapter-neutral endpoint for one custom authentication extension event, with the duties every event shares:
 * the caller token checked before the body is read (401 with `WWW-Authenticate`, as `serve` answers), the body
 * validated against the event's schema (400 naming where it is wrong), the answer built and validated by the
 * event's builder (a handler bug is a 500 with a code, never a malformed 200: `answerEvent`), an answer always by
 * the deadline (503 `DEADLINE_EXCEEDED` when the handler is late; its `abortSignal` fires), and one outcome per
 * decided call for the audit.
 *
 * @example
 *   const endpoint = createEventEndpoint({
 *     event: 'OnTokenIssuanceStart', tenantId, extensionAppId,
 *     handle: async (request) => ({ action: 'provideClaimsForToken', claims: { roles: ['Reader'] } }),
 *   });
 *   createServer(async (req, res) => {
 *     const answer = await endpoint({ body: req, authorization: req.headers.authorization, host: req.headers.host });
 *     res.writeHead(answer.status, answer.headers).end(answer.body);
 *   }).listen(7072);
 */
export function createEventEndpoint<E extends EventName>(options: EventEndpointOptions<E> & (E extends 'OnPasswordSubmit' ? { keyRing: KeyRing; extensionAppId: string } : unknown)): EventEndpoint {
  const { event, tenantId, handle } = options;
  const kind = Object.hasOwn(EVENT_KINDS, event) ? EVENT_KINDS[event] : undefined;
  if (!kind) throw new TypeError(`createEventEndpoint: event must be one of ${Object.keys(EVENT_KINDS).join(', ')}.`);
  if (typeof tenantId !== 'string' || tenantId.length === 0) throw new TypeError('createEventEndpoint: tenantId (the tenant id GUID) is required.');
  if (typeof handle !== 'function') throw new TypeError('createEventEndpoint: handle must be a function.');
  const deadlineInMs = options.deadlineInMs ?? DEFAULT_DEADLINE_IN_MS;
  if (!(Number.isFinite(deadlineInMs) && deadlineInMs > 0 && deadlineInMs <= MAX_DEADLINE_IN_MS)) {
    throw new RangeError(`createEventEndpoint: deadlineInMs must be more than 0 and at most ${MAX_DEADLINE_IN_MS} (Entra's longest wait); got ${deadlineInMs}.`);
  }
  const password = event === 'OnPasswordSubmit';
  if ((password || !options.verifier) && !options.extensionAppId) {
    throw new TypeError(`createEventEndpoint: extensionAppId is required ${password ? 'for OnPasswordSubmit' : 'when no verifier is given'}.`);
  }
  if (password && !options.keyRing) throw new TypeError('createEventEndpoint: keyRing is required for OnPasswordSubmit.');
  const clock = options.clock ?? systemClock;
  const verifier = options.verifier ?? defaultVerifier(tenantId, options.extensionAppId!, options.extensionResourceId, clock, options.fetch);

  const report = (reply: Reply) => {
    try {
      if (reply.outcome) options.onOutcome?.(reply.outcome);
      else if (reply.refusal) options.onRefusal?.(reply.refusal);
    } catch {
      // An audit or log hook that throws must not change the answer.
    }
  };

  return async function answerCall(call: EventCall): Promise<EventAnswer> {
    const receivedAt = call.receivedAt ?? clock();
    const answerBy = answerByOf(receivedAt, { responseDeadlineInMs: deadlineInMs });
    const known: CallState = { verified: false, correlationId: undefined, objectId: null, note: {} };

    const work = async (abortSignal: AbortSignal): Promise<Reply> => {
      let caller: CallerClaims;
      try {
        caller = await verifier.verify(call.authorization, { requestHost: call.host });
      } catch (error) {
        const refusal = callerTokenRefusal(error, call.authorization);
        return { answer: jsonAnswer(refusal.status, refusal.body, refusal.headers), refusal: { status: refusal.status, code: refusal.code, detail: refusal.detail } };
      }
      known.verified = true;
      const body = await readBody(call.body);
      if (!body.ok) {
        const [status, refused] = body.problem === 'too-large' ? [413, BODY_TOO_LARGE] : [400, BODY_INVALID];
        return { answer: jsonAnswer(status, refused), refusal: { status, code: refused.error.code, detail: refused.error.message } };
      }
      known.correlationId = correlationIdOf(body.value);
      const handler = eventHandler(caller, abortSignal);
      const result = await answerEvent(event, handler, body.value, { clock }, { receivedAt, answerBy });
      if (result.status === 400) return { answer: jsonAnswer(400, result.body), refusal: { status: 400, code: result.rejection.code, detail: result.rejection.detail } };
      return { answer: jsonAnswer(result.status, result.body), outcome: result.outcome };
    };

    /** The handler `answerEvent` runs: parse, decrypt (OnPasswordSubmit), your `handle`, build. */
    const eventHandler = (caller: CallerClaims, abortSignal: AbortSignal): EventHandler<{ clock: Clock }, EventResponseOf<E>> => async (body) => {
      let request: EventRequestOf<E>;
      let passwordContext: PasswordContext | undefined;
      try {
        request = kind.parse(body, { tenantId });
        known.objectId = kind.objectIdOf(request);
        if (password) {
          const encrypted = (request as EventRequestOf<'OnPasswordSubmit'>).data.encryptedPasswordContext;
          passwordContext = await decryptPasswordContext(encrypted, { keyRing: options.keyRing!, expectedAudience: options.extensionAppId!, extensionResourceId: options.extensionResourceId, requestHost: call.host, now: clock() });
        }
      } catch (error) {
        // As serve answers OnPasswordSubmit: a key that cannot be reached is the extension's failure (503), the rest the request's (400).
        if (error instanceof SecurityError && error.code === SecurityErrorCode.KEY_UNAVAILABLE) return rejected(503, error);
        if (error instanceof EventError || error instanceof SecurityError) return rejected(400, error);
        throw error;
      }
      const context: EventCallContext & { password?: PasswordContext } = {
        receivedAt,
        answerBy,
        abortSignal,
        caller,
        audit: (note) => Object.assign(known.note, note),
        ...(passwordContext && { password: passwordContext }),
      };
      const outcome = (fields: Pick<EventOutcome, 'action' | 'status' | 'reason' | 'errorCode' | 'errorDetail'>): EventOutcome => ({
        event,
        correlationId: request.data.authenticationContext.correlationId,
        objectId: known.objectId,
        legacyId: known.note.legacyId ?? null,
        latencyInMs: clock() - receivedAt,
        ...fields,
        reason: known.note.reason ?? fields.reason,
      });
      let answer: EventAnswerOf<E>;
      try {
        answer = await handle(request, context as EventCallContextOf<E>);
      } catch (error) {
        if (!(error instanceof EventCallFailure)) throw error; // answerEvent: a 500 with a code
        return {
          status: error.status,
          body: errorBody(error.code, error.publicMessage),
          outcome: outcome({ action: 'error', status: error.status, reason: 'handler-failed', errorCode: error.code, errorDetail: error.message.slice(0, 500) }),
        };
      }
      const response = buildChecked(kind, answer, passwordContext);
      return { status: 200, body: response, outcome: outcome({ action: answer.action, status: 200, reason: 'answered', errorCode: null, errorDetail: null }) };
    };

    const late = (): Reply => {
      const answer = jsonAnswer(503, DEADLINE_EXCEEDED);
      if (!known.verified) return { answer, refusal: { status: 503, code: 'DEADLINE_EXCEEDED', detail: 'the caller token was not checked by the deadline' } };
      return {
        answer,
        outcome: {
          event,
          correlationId: known.correlationId ?? 'unknown',
          objectId: known.objectId,
          action: 'error',
          status: 503,
          reason: known.note.reason ?? 'deadline-exceeded',
          legacyId: known.note.legacyId ?? null,
          errorCode: 'DEADLINE_EXCEEDED',
          errorDetail: 'the call had not reached its answer by the deadline',
          latencyInMs: clock() - receivedAt,
        },
      };
    };

    const reply = await beforeDeadline(work, late, answerBy, clock);
    report(reply);
    return reply.answer;
  };
}

interface CallState {
  verified: boolean;
  correlationId: string | undefined;
  objectId: string | null;
  note: { reason?: string; legacyId?: string | null };
}

/**
 * The event's builder over the handler's answer, which a JavaScript caller may have got wrong in any way: an action
 * the event does not have (Entra's 1003012; the builders trust their typed input there) or a shape the builder
 * cannot read is `EVENT_RESPONSE_INVALID`, as an answer the builder itself refuses is, so `answerEvent` makes it the
 * 500 with that code.
 */
function buildChecked<E extends EventName>(kind: (typeof EVENT_KINDS)[E], answer: EventAnswerOf<E>, passwordContext: PasswordContext | undefined): EventResponseOf<E> {
  const action = (answer as { action?: unknown } | null | undefined)?.action;
  if (typeof action !== 'string' || !kind.actions.includes(action)) {
    throw new EventError(EventErrorCode.RESPONSE_INVALID, 'The extension built an answer Entra would not accept.', [`action must be one of ${kind.actions.join(', ')}`]);
  }
  try {
    return (kind.build as (answer: EventAnswerOf<E>, password: PasswordContext | undefined) => EventResponseOf<E>)(answer, passwordContext);
  } catch (error) {
    if (error instanceof EventError) throw error;
    throw new EventError(EventErrorCode.RESPONSE_INVALID, 'The extension built an answer Entra would not accept.', [`the answer could not be built (${error instanceof Error ? error.name : 'a non-error was thrown'})`]);
  }
}

function rejected(status: 400 | 503, error: EntraMigrateError): EventResult<never> {
  return { status, body: errorBody(error.code, error.publicMessage), rejection: { code: error.code, detail: error.message } } as EventResult<never>;
}

function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): EventAnswer {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** The body's correlation id when it has a plausible one (for the outcome of a call that ran out of time). */
function correlationIdOf(body: unknown): string | undefined {
  const id = (body as { data?: { authenticationContext?: { correlationId?: unknown } } } | null)?.data?.authenticationContext?.correlationId;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : undefined;
}

function defaultVerifier(tenantId: string, extensionAppId: string, extensionResourceId: string | undefined, clock: Clock, fetch: typeof globalThis.fetch | undefined): CallerTokenVerifier {
  const keySource = createSigningKeySource({ openIdConfigurationUrls: openIdConfigurationUrlsFor(tenantId), now: clock, ...(fetch && { fetch }) });
  return createCallerTokenVerifier({ tenantId, extensionAppId, extensionResourceId, keySource, now: clock });
}

export type { ErrorBody };
