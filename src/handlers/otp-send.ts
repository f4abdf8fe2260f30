import { EventError, parseOtpSendRequest, type OtpSendResponse } from '../events/index.js';
import { errorBody } from './error-body.js';
import type { DeadlineDeps, EventResult } from './event-outcome.js';

/** What the one-time passcode send handler needs. */
export interface OtpSendDeps extends DeadlineDeps {
  readonly tenantId: string;
}

export type OtpSendResult = EventResult<OtpSendResponse>;

/** Handles one one-time passcode send callout whose caller token has already been verified. */
export async function handleOtpSend(body: unknown, deps: OtpSendDeps, options: { receivedAt: number; answerBy?: number }): Promise<OtpSendResult> {
  let request;
  try {
    request = parseOtpSendRequest(body, { tenantId: deps.tenantId });
  } catch (error) {
    if (error instanceof EventError) return { status: 400, body: errorBody(error.code, error.publicMessage), rejection: { code: error.code, detail: error.message } };
    throw error;
  }
  return {
    status: 502,
    body: errorBody('OTP_PROVIDER_MISSING', 'No e-mail provider is configured.'),
    outcome: { event: 'OnOtpSend', correlationId: request.data.authenticationContext.correlationId, objectId: null, action: 'error', status: 502, reason: 'otp-not-sent', legacyId: null, errorCode: 'OTP_PROVIDER_MISSING', errorDetail: null, latencyInMs: deps.clock() - options.receivedAt },
  };
}
