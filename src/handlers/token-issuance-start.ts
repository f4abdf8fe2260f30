import { buildTokenIssuanceStartResponse, EventError, parseTokenIssuanceStartRequest, type TokenIssuanceStartResponse } from '../events/index.js';
import { errorBody } from './error-body.js';
import type { DeadlineDeps, EventResult } from './event-outcome.js';

/** What the OnTokenIssuanceStart handler needs. */
export interface TokenIssuanceStartDeps extends DeadlineDeps {
  readonly tenantId: string;
}

export type TokenIssuanceStartResult = EventResult<TokenIssuanceStartResponse>;

/** Handles one OnTokenIssuanceStart callout whose caller token has already been verified. */
export async function handleTokenIssuanceStart(body: unknown, deps: TokenIssuanceStartDeps, options: { receivedAt: number; answerBy?: number }): Promise<TokenIssuanceStartResult> {
  let request;
  try {
    request = parseTokenIssuanceStartRequest(body, { tenantId: deps.tenantId });
  } catch (error) {
    if (error instanceof EventError) return { status: 400, body: errorBody(error.code, error.publicMessage), rejection: { code: error.code, detail: error.message } };
    throw error;
  }
  const context = request.data.authenticationContext;
  return {
    status: 200,
    body: buildTokenIssuanceStartResponse({ action: 'provideClaimsForToken', claims: {} }),
    outcome: { event: 'OnTokenIssuanceStart', correlationId: context.correlationId, objectId: context.user.id, action: 'provideClaimsForToken', status: 200, reason: 'no-claims-configured', legacyId: null, errorCode: null, errorDetail: null, latencyInMs: deps.clock() - options.receivedAt },
  };
}
