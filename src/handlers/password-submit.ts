import type { Clock } from '../common/clock.js';
import { EntraMigrateError } from '../common/errors.js';
import {
  EventError,
  MAX_NONCE_LENGTH,
  buildPasswordSubmitResponse,
  parsePasswordSubmitRequest,
  type PasswordSubmitAction,
  type PasswordSubmitRequest,
  type PasswordSubmitResponse,
} from '../events/index.js';
import { decide, messagesFor, type DecisionReason, type JitMessageCatalogue, type LegacyVerdict } from '../jit/index.js';
import { HashError, HashErrorCode } from '../legacy/hashes/index.js';
import type { AttemptLimiter, AttemptTaken } from '../limits/index.js';
import { LegacyStoreError, LegacyStoreErrorCode, type LegacyAuthority, type LegacyCheck } from '../legacy/index.js';
import { SecurityError, SecurityErrorCode, decryptPasswordContext, type KeyRing, type PasswordContext } from '../security/index.js';
import { errorBody, type ErrorBody } from './error-body.js';

/**
 * Time kept back from the deadline for serialising and sending the answer, in ms, when `sendMarginInMs` is not
 * given: serialising takes well under 1 ms; 10 ms covers a quiet event loop's timer lag. `serve` measures the lag
 * instead (server/send-margin.ts).
 */
const DEFAULT_SEND_MARGIN_IN_MS = 10;

export interface PasswordSubmitDeps {
  readonly tenantId: string;
  readonly extensionAppId: string;
  /** The extension's identifier URI `api://{host}/{appId}` (ENTRA_EXTENSION_RESOURCE_ID), for the context's `aud`. */
  readonly extensionResourceId?: string | undefined;
  readonly keyRing: KeyRing;
  /** The legacy system that says whether a password is right (behind its circuit breaker, in `serve`). */
  readonly legacy: LegacyAuthority;
  readonly messages: JitMessageCatalogue;
  readonly clock: Clock;
  /** From arrival to answer, in ms (RESPONSE_DEADLINE_MS). */
  readonly responseDeadlineInMs: number;
  /** Time kept back from the deadline to send the answer, in ms, asked per request: it follows the event loop's delay. */
  readonly sendMarginInMs?: () => number;
  /**
   * Told how long each password context's decryption took, in seconds, and whether it gave a context (`serve` passes
   * its metrics when they are on). Without it the decryption is not timed.
   */
  readonly onDecryption?: (seconds: number, result: 'ok' | 'failed') => void;
  /**
   * Counts wrong passwords per sign-in name and refuses the attempts past ATTEMPT_LIMIT_PER_ACCOUNT without asking the
   * legacy system (docs/attempt-limits.md). Without it nothing is counted.
   */
  readonly attemptLimiter?: AttemptLimiter | undefined;
  /**
   * STUFFING_SIGNAL_MODE=block: true while the credential-stuffing signal holds, and then every attempt is answered
   * "temporarily unavailable" without a legacy check or a count (docs/attempt-limits.md). Absent: never.
   */
  readonly stuffingSuspected?: (() => boolean) | undefined;
}

/** What happened, for the ledger, the request log line and metrics. Never a password or token. */
export interface PasswordSubmitOutcome {
  correlationId: string;
  objectId: string;
  legacyId: string | null;
  action: PasswordSubmitAction;
  reason: DecisionReason;
  /** The code of the error behind an "unavailable" answer (`LEGACY_STORE_TIMEOUT`, `HASH_FORMAT_UNSUPPORTED` …). */
  errorCode: string | null;
  /** What that error says, for the request's log line (no password, token or user name is ever in it). */
  errorDetail: string | null;
  latencyInMs: number;
  /**
   * How long the legacy password check took inside this answer, in ms, by the handler's clock: from its start until
   * it answered or the deadline cut it off (then the check took at least this). Null when the legacy store was not
   * asked (its circuit was open).
   */
  legacyLatencyInMs: number | null;
}

export type PasswordSubmitResult =
  | { status: 200; body: PasswordSubmitResponse; outcome: PasswordSubmitOutcome }
  | { status: 400 | 503; body: ErrorBody; rejection: { code: string; detail: string } };

/**
 * Handles one OnPasswordSubmit callout whose caller token has already been verified: validates the body,
 * decrypts the password context, checks the password against the legacy system and answers with one action,
 * always before `receivedAt + responseDeadlineInMs`.
 *
 * Plain function: the Fastify server and the tests call it (the Azure Functions adapter through that server).
 *
 * `requestHost` is the request's `Host` header: without a configured resource id, the context's `aud` may be the
 * identifier URI `api://{that host}/{appId}`. `answerBy` is when the answer must be built (default
 * {@link answerByOf}); a server that fixes it at arrival passes it in.
 *
 * @example
 *   const result = await handlePasswordSubmit(JSON.parse(body), deps, { receivedAt: Date.now(), requestHost: request.host });
 *   reply.code(result.status).send(result.body);
 */
export async function handlePasswordSubmit(
  body: unknown,
  deps: PasswordSubmitDeps,
  options: { receivedAt: number; requestHost?: string | undefined; answerBy?: number },
): Promise<PasswordSubmitResult> {
  let request: PasswordSubmitRequest;
  let context: PasswordContext;
  try {
    request = parsePasswordSubmitRequest(body, { tenantId: deps.tenantId });
    context = await timedDecryption(request, deps, options.requestHost);
  } catch (error) {
    if (error instanceof SecurityError && error.code === SecurityErrorCode.KEY_UNAVAILABLE) {
      return { status: 503, body: errorBody(error.code, error.publicMessage), rejection: { code: error.code, detail: error.message } };
    }
    if (error instanceof EventError || error instanceof SecurityError) {
      return { status: 400, body: errorBody(error.code, error.publicMessage), rejection: { code: error.code, detail: error.message } };
    }
    throw error;
  }

  const { authenticationContext } = request.data;
  const deadlineAt = options.answerBy ?? answerByOf(options.receivedAt, deps);
  const suspected = deps.stuffingSuspected?.() === true;
  const attempt = !suspected && deps.attemptLimiter ? await deps.attemptLimiter.admit(context.username, { answerBy: deadlineAt }) : undefined;
  const { verdict, errorCode, errorDetail, legacyLatencyInMs } = suspected
    ? STUFFING_SUSPECTED
    : attempt?.allowed === false
      ? LIMIT_REACHED
      : await assessBeforeDeadline(request, context, deps, deadlineAt);
  if (attempt?.allowed) settleAttempt(attempt, verdict);
  const decision = decide(verdict, messagesFor(deps.messages, authenticationContext.client?.locale));

  return {
    status: 200,
    body: buildPasswordSubmitResponse(decision.answer, context.nonce),
    outcome: {
      correlationId: authenticationContext.correlationId,
      objectId: authenticationContext.user.id,
      legacyId: 'legacyId' in verdict ? verdict.legacyId : null,
      action: decision.answer.action,
      reason: decision.reason,
      errorCode,
      errorDetail,
      latencyInMs: deps.clock() - options.receivedAt,
      legacyLatencyInMs,
    },
  };
}

/** Past the attempt limit: no legacy check, no hash, nothing learnt about the account (its reason says why). */
const LIMIT_REACHED: Assessment = Object.freeze({ verdict: { kind: 'attempt-limit-reached' as const }, errorCode: null, errorDetail: null, legacyLatencyInMs: null });
/** Block mode of the credential-stuffing signal: likewise nothing asked and nothing counted. */
const STUFFING_SUSPECTED: Assessment = Object.freeze({ verdict: { kind: 'stuffing-suspected' as const }, errorCode: null, errorDetail: null, legacyLatencyInMs: null });

/**
 * Settles a counted attempt by what the legacy system said, without waiting (the answer does not depend on it): a
 * correct password starts the count again; a wrong one, an unknown account and a legacy lockout stay counted (the
 * last mirrors the legacy system's own lockout, issue 15); an attempt that learnt nothing (store down, deadline) is
 * given back.
 */
function settleAttempt(attempt: AttemptTaken, verdict: LegacyVerdict): void {
  if (verdict.kind === 'password-correct') attempt.clear().catch(() => undefined);
  else if (verdict.kind === 'legacy-unavailable') attempt.giveBack().catch(() => undefined);
}

/** Decrypts the password context, timed for `onDecryption` when it is given (and only then). */
async function timedDecryption(request: PasswordSubmitRequest, deps: PasswordSubmitDeps, requestHost: string | undefined): Promise<PasswordContext> {
  const decrypt = () =>
    decryptPasswordContext(request.data.encryptedPasswordContext, {
      keyRing: deps.keyRing,
      expectedAudience: deps.extensionAppId,
      extensionResourceId: deps.extensionResourceId,
      requestHost,
      maxNonceLength: MAX_NONCE_LENGTH,
      now: deps.clock(),
    });
  const observe = deps.onDecryption;
  if (!observe) return decrypt();
  const startedAt = performance.now();
  try {
    const context = await decrypt();
    observe((performance.now() - startedAt) / 1000, 'ok');
    return context;
  } catch (error) {
    observe((performance.now() - startedAt) / 1000, 'failed');
    throw error;
  }
}

/**
 * The instant an answer to a callout received at `receivedAt` must be built by, in ms since the epoch: the deadline
 * less the send margin (the time sending takes on the event loop as it is now).
 *
 * @example
 *   answerByOf(request.receivedAt, deps) // receivedAt + 1500 - 7
 */
export function answerByOf(receivedAt: number, deps: Pick<PasswordSubmitDeps, 'responseDeadlineInMs' | 'sendMarginInMs'>): number {
  return receivedAt + deps.responseDeadlineInMs - (deps.sendMarginInMs?.() ?? DEFAULT_SEND_MARGIN_IN_MS);
}

interface Assessment {
  verdict: LegacyVerdict;
  errorCode: string | null;
  errorDetail: string | null;
  /** The check's time, in ms; null when it never reached the legacy store (its circuit was open). */
  legacyLatencyInMs: number | null;
}

/** What the legacy check said; `legacyAsked` false when the check was refused before it reached the store. */
type CheckResult = Omit<Assessment, 'legacyLatencyInMs'> & { legacyAsked: boolean };

/**
 * Runs the legacy check against the clock; when the deadline comes first the work is abandoned (and aborted). The
 * check's time is read from the clock already read for the timer and one read when the race settles: the ledger
 * records it whether or not metrics are on.
 */
async function assessBeforeDeadline(
  request: PasswordSubmitRequest,
  context: PasswordContext,
  deps: PasswordSubmitDeps,
  deadlineAt: number,
): Promise<Assessment> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const startedAt = deps.clock();
  const deadline = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve({ verdict: { kind: 'legacy-unavailable', legacyId: null, cause: 'deadline' }, errorCode: 'DEADLINE_EXCEEDED', errorDetail: null, legacyAsked: true });
    }, Math.max(0, deadlineAt - startedAt));
  });
  try {
    const { legacyAsked, ...assessment } = await Promise.race([assess(request, context, deps, abort.signal, deadlineAt), deadline]);
    return { ...assessment, legacyLatencyInMs: legacyAsked ? deps.clock() - startedAt : null };
  } finally {
    clearTimeout(timer);
  }
}

async function assess(
  request: PasswordSubmitRequest,
  context: PasswordContext,
  deps: PasswordSubmitDeps,
  abortSignal: AbortSignal,
  deadlineAt: number,
): Promise<CheckResult> {
  const { user } = request.data.authenticationContext;
  let check: LegacyCheck;
  try {
    check = await deps.legacy.checkPassword(
      { username: context.username, email: user.mail ?? null, objectId: user.id, password: context.password },
      { abortSignal, deadlineAt },
    );
  } catch (error) {
    return {
      verdict: { kind: 'legacy-unavailable', legacyId: null, cause: causeOf(error) },
      errorCode: codeOf(error),
      errorDetail: detailOf(error),
      legacyAsked: !(error instanceof LegacyStoreError && error.code === LegacyStoreErrorCode.CIRCUIT_OPEN),
    };
  }
  return { verdict: verdictOf(check, context.password), errorCode: null, errorDetail: null, legacyAsked: true };
}

/** The legacy system's answer as the policy's input. */
function verdictOf(check: LegacyCheck, password: string): LegacyVerdict {
  switch (check.outcome) {
    case 'correct':
      return { kind: 'password-correct', legacyId: check.legacyId, password, mustChangePassword: check.mustChangePassword };
    case 'wrong':
      return { kind: 'password-wrong', legacyId: check.legacyId };
    case 'unknown':
      return { kind: 'account-not-found' };
    case 'blocked':
      return { kind: 'account-blocked', legacyId: check.legacyId };
  }
}

/** Why no answer came: the store, the stored hash, or our own verifier being full. */
function causeOf(error: unknown): 'store-error' | 'hash-error' | 'overloaded' {
  if (error instanceof HashError) return error.code === HashErrorCode.HASH_VERIFIER_BUSY ? 'overloaded' : 'hash-error';
  return 'store-error';
}

/**
 * What the error says, for the request's log line: its public message, which names the setting to fix and never a
 * value. Not the internal detail: a database driver's message may quote a parameter, that is the sign-in name.
 */
function detailOf(error: unknown): string | null {
  return error instanceof EntraMigrateError ? error.publicMessage.slice(0, 300) : null;
}

function codeOf(error: unknown): string {
  return error instanceof EntraMigrateError ? error.code : 'UNEXPECTED_ERROR';
}
