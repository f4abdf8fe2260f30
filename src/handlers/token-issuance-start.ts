import { EntraMigrateError } from '../common/errors.js';
import {
  buildTokenIssuanceStartResponse,
  EventError,
  parseTokenIssuanceStartRequest,
  type Claims,
  type TokenIssuanceStartResponse,
} from '../events/index.js';
import { checkClaimLimits, TokenClaimsError, type LegacyClaims, type TokenClaimsSource } from '../legacy/claims/index.js';
import { beforeDeadline } from './before-deadline.js';
import { errorBody } from './error-body.js';
import type { DeadlineDeps, EventOutcome, EventResult } from './event-outcome.js';
import { answerByOf } from './password-submit.js';

/** What to answer when the legacy system fails or is late (TOKEN_CLAIMS_ON_LEGACY_FAILURE); see docs/token-claims.md. */
export type LegacyFailurePolicy = 'empty' | 'fail';

/** What the OnTokenIssuanceStart handler needs. */
export interface TokenIssuanceStartDeps extends DeadlineDeps {
  readonly tenantId: string;
  /** The legacy id the ledger holds for an Entra user, or null; no legacy call. Rejects when the ledger fails. */
  readonly legacyIdOf: (objectId: string, options: { abortSignal: AbortSignal }) => Promise<string | null>;
  /** TOKEN_CLAIMS_QUERY or TOKEN_CLAIMS_URL (with its cache), or null when only `legacyId` is given. */
  readonly claims: TokenClaimsSource | null;
  /** `empty`: answer 200 with the claims that need no legacy call; `fail`: answer 503, so Entra fails the sign-in. */
  readonly onLegacyFailure: LegacyFailurePolicy;
}

export type TokenIssuanceStartResult = EventResult<TokenIssuanceStartResponse>;

/** Why a token got the claims it got, as the outcome's `reason`. */
export type TokenClaimsReason =
  | 'claims-from-legacy'
  | 'claims-without-legacy'
  | 'no-legacy-account'
  | 'legacy-unavailable'
  | 'legacy-claims-invalid'
  | 'ledger-unavailable';

/** The public code of the 503 answered under `fail`; the cause is the outcome's `errorCode`. */
export const TOKEN_CLAIMS_UNAVAILABLE = 'TOKEN_CLAIMS_UNAVAILABLE';

type Gathered =
  | { kind: 'claims'; claims: LegacyClaims; fromLegacy: boolean; legacyId: string | null }
  | { kind: 'failed'; legacyId: string | null; reason: TokenClaimsReason; errorCode: string; errorDetail: string | null };

/**
 * Handles one OnTokenIssuanceStart callout whose caller token has already been verified, always before
 * `receivedAt + responseDeadlineInMs` (or `answerBy`): the `legacyId` claim from the ledger (no legacy call), the
 * other claims from the legacy system (`deps.claims`), checked against the event's limits (3 KB), in one
 * `provideClaimsForToken` action. The ledger's `legacyId` wins over a legacy claim of that name.
 *
 * When the ledger or the legacy system fails, is late, or gives claims a token cannot carry: under `empty`, 200 with
 * the claims that need no legacy call (`legacyId` when known) and the error's code in the outcome; under `fail`, 503
 * `TOKEN_CLAIMS_UNAVAILABLE`, which Entra treats as the extension failing (the sign-in fails). No claim value
 * reaches the outcome, a log line or an error.
 *
 * @example
 *   const result = await handleTokenIssuanceStart(JSON.parse(body), deps, { receivedAt: Date.now() });
 *   reply.code(result.status).send(result.body);
 */
export async function handleTokenIssuanceStart(body: unknown, deps: TokenIssuanceStartDeps, options: { receivedAt: number; answerBy?: number }): Promise<TokenIssuanceStartResult> {
  let request;
  try {
    request = parseTokenIssuanceStartRequest(body, { tenantId: deps.tenantId });
  } catch (error) {
    if (error instanceof EventError) return { status: 400, body: errorBody(error.code, error.publicMessage), rejection: { code: error.code, detail: error.message } };
    throw error;
  }
  const { correlationId, user } = request.data.authenticationContext;
  const deadlineAt = options.answerBy ?? answerByOf(options.receivedAt, deps);
  const gathered = await gatherBeforeDeadline(user.id, user.mail ?? null, deps, deadlineAt);
  const outcome = (status: number, action: string, reason: TokenClaimsReason, errorCode: string | null, errorDetail: string | null): EventOutcome => ({
    event: 'OnTokenIssuanceStart',
    correlationId,
    objectId: user.id,
    action,
    status,
    reason,
    legacyId: gathered.legacyId,
    errorCode,
    errorDetail,
    latencyInMs: deps.clock() - options.receivedAt,
  });

  if (gathered.kind === 'claims') {
    const reason = gathered.fromLegacy ? 'claims-from-legacy' : gathered.legacyId === null ? 'no-legacy-account' : 'claims-without-legacy';
    return { status: 200, body: provide(gathered.claims), outcome: outcome(200, 'provideClaimsForToken', reason, null, null) };
  }
  if (deps.onLegacyFailure === 'fail') {
    const failed = errorBody(TOKEN_CLAIMS_UNAVAILABLE, 'The claims for this token could not be read from the legacy system.');
    return { status: 503, body: failed, outcome: outcome(503, 'error', gathered.reason, gathered.errorCode, gathered.errorDetail) };
  }
  return { status: 200, body: provide(withoutLegacy(gathered.legacyId)), outcome: outcome(200, 'provideClaimsForToken', gathered.reason, gathered.errorCode, gathered.errorDetail) };
}

function provide(claims: LegacyClaims): TokenIssuanceStartResponse {
  return buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: claims as Claims });
}

/** The claims that need no legacy call: `legacyId`, when the ledger knows it. */
function withoutLegacy(legacyId: string | null): LegacyClaims {
  return legacyId === null ? {} : { legacyId };
}

/**
 * Asks the ledger, then the legacy system, against the clock. The legacy id is kept as soon as the ledger gives it,
 * so a legacy system that is late still leaves it to answer with.
 */
async function gatherBeforeDeadline(objectId: string, email: string | null, deps: TokenIssuanceStartDeps, deadlineAt: number): Promise<Gathered> {
  let legacyId: string | null = null;
  let ledgerAnswered = false;
  const failed = (error: unknown): Gathered => {
    const reason: TokenClaimsReason = !ledgerAnswered ? 'ledger-unavailable' : error instanceof TokenClaimsError ? 'legacy-claims-invalid' : 'legacy-unavailable';
    return { kind: 'failed', legacyId, reason, errorCode: codeOf(error), errorDetail: error instanceof EntraMigrateError ? error.publicMessage.slice(0, 300) : null };
  };
  return beforeDeadline<Gathered>(
    async (abortSignal) => {
      try {
        legacyId = await deps.legacyIdOf(objectId, { abortSignal });
        ledgerAnswered = true;
        if (deps.claims === null) return { kind: 'claims', claims: checkClaimLimits(withoutLegacy(legacyId)), fromLegacy: false, legacyId };
        const fromLegacy = await deps.claims.claimsFor({ objectId, email, legacyId }, { abortSignal, deadlineAt });
        // The ledger's legacy id is the one migration linked; a legacy column of the same name does not replace it.
        const claims = checkClaimLimits({ ...fromLegacy, ...withoutLegacy(legacyId) });
        return { kind: 'claims', claims, fromLegacy: Object.keys(fromLegacy).length > 0, legacyId };
      } catch (error) {
        return failed(error);
      }
    },
    () => ({ kind: 'failed', legacyId, reason: ledgerAnswered ? 'legacy-unavailable' : 'ledger-unavailable', errorCode: 'DEADLINE_EXCEEDED', errorDetail: null }),
    deadlineAt,
    deps.clock,
  );
}

function codeOf(error: unknown): string {
  return error instanceof EntraMigrateError ? error.code : 'UNEXPECTED_ERROR';
}
