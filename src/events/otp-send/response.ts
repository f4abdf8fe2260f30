import { z } from 'zod';
import { describeIssues } from '../describe-issues.js';
import { EventError, EventErrorCode } from '../errors.js';
import { requireKnownAction } from '../known-action.js';

/** Spelled with a capital O, as Microsoft's reference page and Entra spell it (unlike every other event's type). */
export const OTP_SEND_RESPONSE_TYPE = 'microsoft.graph.OnOtpSendResponseData';

/**
 * The one answer Entra understands for a one-time passcode send: the code was sent. There is no failure action: an
 * extension that could not send answers an HTTP error, and Entra then sends the code itself only when the
 * listener's handler has `behaviorOnError: fallbackToMicrosoftProviderOnError`.
 */
export const OTP_SEND_ACTIONS = ['continueWithDefaultBehavior'] as const;
export type OtpSendAction = (typeof OTP_SEND_ACTIONS)[number];

export const otpSendActionODataType = (action: OtpSendAction) => `microsoft.graph.OtpSend.${action}` as const;

const actionSchema = z.object({ '@odata.type': z.string().max(256) });

/** The answer's schema; the server derives its Fastify response schema from it, the emulator validates answers with it. */
export const otpSendResponseSchema = z.object({
  data: z.object({
    '@odata.type': z.literal(OTP_SEND_RESPONSE_TYPE),
    actions: z.array(actionSchema),
  }),
});

export type OtpSendResponse = z.infer<typeof otpSendResponseSchema>;

export type OtpSendAnswer = { action: 'continueWithDefaultBehavior' };

/**
 * Builds the body Entra expects once the code is on its way.
 *
 * @example
 *   buildOtpSendResponse({ action: 'continueWithDefaultBehavior' })
 *   // { data: { '@odata.type': 'microsoft.graph.OnOtpSendResponseData',
 *   //           actions: [{ '@odata.type': 'microsoft.graph.OtpSend.continueWithDefaultBehavior' }] } }
 */
export function buildOtpSendResponse(answer: OtpSendAnswer): OtpSendResponse {
  requireKnownAction(OTP_SEND_ACTIONS, answer.action);
  return parseOtpSendResponse({ data: { '@odata.type': OTP_SEND_RESPONSE_TYPE, actions: [{ '@odata.type': otpSendActionODataType(answer.action) }] } });
}

/** Reads an extension's answer the way Entra does; throws an {@link EventError} whose `issues` say what is wrong. */
export function parseOtpSendResponse(body: unknown): OtpSendResponse {
  const result = otpSendResponseSchema.safeParse(body);
  if (!result.success) {
    throw new EventError(EventErrorCode.RESPONSE_INVALID, 'The extension answered with a body Entra would not accept.', describeIssues(result.error));
  }
  return result.data;
}

/** The action an answer carries, or undefined for an `@odata.type` that is not continueWithDefaultBehavior. */
export function otpSendActionOf(odataType: string): OtpSendAction | undefined {
  return OTP_SEND_ACTIONS.find((action) => otpSendActionODataType(action) === odataType);
}
