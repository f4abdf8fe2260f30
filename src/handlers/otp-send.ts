import { EventError, buildOtpSendResponse, otpPurposeOf, parseOtpSendRequest, type OtpSendRequest, type OtpSendResponse } from '../events/index.js';
import { OtpError, OtpErrorCode, renderOtpMail, type OtpMailer, type OtpTemplateSet } from '../otp/index.js';
import { beforeDeadline } from './before-deadline.js';
import { errorBody } from './error-body.js';
import type { DeadlineDeps, EventOutcome, EventResult } from './event-outcome.js';
import { answerByOf } from './password-submit.js';

/** What the one-time passcode send handler needs. */
export interface OtpSendDeps extends DeadlineDeps {
  readonly tenantId: string;
  /** The provider; without one every call is a 502 `OTP_PROVIDER_MISSING` (Entra falls back to its own mail). */
  readonly mailer?: OtpMailer | null;
  /** The mail's templates by locale (the shipped ones or OTP_TEMPLATES_DIR's). */
  readonly templates?: OtpTemplateSet;
  /** OTP_FROM. */
  readonly from?: string;
}

export type OtpSendResult = EventResult<OtpSendResponse>;

/** No provider configured: `serve` answers the route only with one, but a library user may not. */
const PROVIDER_MISSING = 'OTP_PROVIDER_MISSING';

/**
 * Handles one one-time passcode send callout whose caller token has already been verified: the request read (a
 * malformed one is a 400), the mail rendered in the user's language for why the code is sent, and sent before the
 * deadline. Sent: 200 `continueWithDefaultBehavior`. Refused by the provider: 502 `OTP_PROVIDER_FAILED`; not
 * answered in time: the provider call is aborted and the answer is 504 `OTP_PROVIDER_TIMEOUT`. On either error
 * Entra sends the code itself when the listener has `fallbackToMicrosoftProviderOnError` (learn.microsoft.com
 * custom-extension-email-otp-send: "behaviorOnError").
 *
 * The code and the recipient never reach the outcome, a log line or an error: the provider's errors are mapped to
 * codes by the mailers and only our own wording passes.
 *
 * @example
 *   const result = await handleOtpSend(body, { tenantId, mailer, templates, from, clock: Date.now, responseDeadlineInMs: 1000 }, { receivedAt: Date.now() });
 */
export async function handleOtpSend(body: unknown, deps: OtpSendDeps, options: { receivedAt: number; answerBy?: number }): Promise<OtpSendResult> {
  let request: OtpSendRequest;
  try {
    request = parseOtpSendRequest(body, { tenantId: deps.tenantId });
  } catch (error) {
    if (error instanceof EventError) return { status: 400, body: errorBody(error.code, error.publicMessage), rejection: { code: error.code, detail: error.message } };
    throw error;
  }
  const outcome = (status: number, failure: { code: string; detail: string } | null): EventOutcome => ({
    event: 'OnOtpSend',
    correlationId: request.data.authenticationContext.correlationId,
    objectId: null,
    action: failure ? 'error' : 'continueWithDefaultBehavior',
    status,
    reason: failure ? 'otp-not-sent' : 'otp-sent',
    legacyId: null,
    errorCode: failure?.code ?? null,
    errorDetail: failure?.detail ?? null,
    latencyInMs: deps.clock() - options.receivedAt,
  });
  const { mailer, templates, from } = deps;
  if (!mailer || !templates || !from) {
    return { status: 502, body: errorBody(PROVIDER_MISSING, 'No e-mail provider is configured.'), outcome: outcome(502, { code: PROVIDER_MISSING, detail: 'no e-mail provider is configured' }) };
  }

  const context = request.data.authenticationContext;
  const { identifier, oneTimeCode } = request.data.otpContext;
  const mail = renderOtpMail(templates, { locale: context.client?.locale, purpose: otpPurposeOf(context.requestType), code: oneTimeCode });
  const deadlineAt = options.answerBy ?? answerByOf(options.receivedAt, deps);
  const late = (): OtpError => new OtpError(OtpErrorCode.PROVIDER_TIMEOUT, `${mailer.kind}: abandoned at the deadline`);
  const failure = await beforeDeadline<OtpError | null>(
    (abortSignal) =>
      mailer.send({ to: identifier, from, ...mail }, { abortSignal }).then(
        () => null,
        (error: unknown) => (error instanceof OtpError ? error : new OtpError(OtpErrorCode.PROVIDER_FAILED, `${mailer.kind}: the provider failed`)),
      ),
    late,
    deadlineAt,
    deps.clock,
  );

  if (failure === null) return { status: 200, body: buildOtpSendResponse({ action: 'continueWithDefaultBehavior' }), outcome: outcome(200, null) };
  const status = failure.code === OtpErrorCode.PROVIDER_TIMEOUT ? 504 : 502;
  return { status, body: errorBody(failure.code, failure.publicMessage), outcome: outcome(status, { code: failure.code, detail: failure.message }) };
}
