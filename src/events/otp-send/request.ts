import { z } from 'zod';
import { authenticationContextSchema } from '../authentication-context.js';
import { parseCallout } from '../parse-callout.js';

// learn.microsoft.com/entra/identity-platform/custom-extension-email-otp-send-data (MicrosoftDocs/entra-docs
// 1b793a2e369b07d9f0e66a89f5bc448ae2936fef; fixtures/entra/otp-send.*.json).

/** `type` of a one-time passcode send callout (the `emailOtpSend` event). */
export const OTP_SEND_EVENT_TYPE = 'microsoft.graph.authenticationEvent.emailOtpSend';
export const OTP_SEND_DATA_TYPE = 'microsoft.graph.onOtpSendCalloutData';

/** Longest one-time code accepted; Entra's are 6 or 8 digits. */
export const MAX_ONE_TIME_CODE_LENGTH = 32;
/** An e-mail address, at most RFC 5321's 254 characters, one `@`, no spaces or control characters. */
const EMAIL = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}]{1,253}$/u;
const CODE = /^[A-Za-z0-9]+$/;

const optionalText = (max: number) => z.string().max(max).nullish();
const oneTimeCode = z.string().min(4).max(MAX_ONE_TIME_CODE_LENGTH).regex(CODE);

/**
 * What to send and where. Microsoft's reference page spells the code `oneTimeCode`; its own sample request and
 * function read `onetimecode`. Either is accepted (both, only when equal); the parsed request always has
 * `oneTimeCode`.
 */
const otpContextSchema = z
  .object({
    identifier: z.string().max(254).regex(EMAIL),
    oneTimeCode: oneTimeCode.optional(),
    onetimecode: oneTimeCode.optional(),
  })
  .check((ctx) => {
    const { oneTimeCode: camel, onetimecode: lower } = ctx.value;
    if (camel === undefined && lower === undefined) ctx.issues.push({ code: 'invalid_type', expected: 'string', input: undefined, path: ['oneTimeCode'], message: 'expected string' });
    else if (camel !== undefined && lower !== undefined && camel !== lower) ctx.issues.push({ code: 'invalid_value', values: [], input: undefined, path: ['onetimecode'], message: 'two different codes' });
  })
  .transform(({ identifier, oneTimeCode: camel, onetimecode: lower }) => ({ identifier, oneTimeCode: (camel ?? lower)! }));

/** The context of a code's request: `requestType` says why the code is sent (`signUp` in the reference example). */
const otpAuthenticationContextSchema = authenticationContextSchema.extend({ requestType: optionalText(64) });

export const otpSendRequestSchema = z.object({
  type: z.literal(OTP_SEND_EVENT_TYPE),
  source: optionalText(1024),
  data: z.object({
    '@odata.type': z.literal(OTP_SEND_DATA_TYPE),
    otpContext: otpContextSchema,
    tenantId: optionalText(128),
    authenticationEventListenerId: optionalText(128),
    customAuthenticationExtensionId: optionalText(128),
    authenticationContext: otpAuthenticationContextSchema,
  }),
});

export type OtpSendRequest = z.output<typeof otpSendRequestSchema>;

/** Why a code is sent, as the mail's wording needs it. */
export const OTP_PURPOSES = ['sign-up', 'password-reset', 'sign-in', 'mfa'] as const;
export type OtpPurpose = (typeof OTP_PURPOSES)[number];

/**
 * The purpose a `requestType` names. Only `signUp` is documented; the others follow the flows that send e-mail
 * codes (self-service password reset, e-mail one-time passcode sign-in, e-mail as a second factor). An unknown or
 * missing one is `sign-in`, whose wording ("your code to sign in") suits any of them.
 */
export function otpPurposeOf(requestType: string | null | undefined): OtpPurpose {
  const type = (requestType ?? '').toLowerCase().replace(/[^a-z]/g, '');
  if (type.includes('signup')) return 'sign-up';
  if (type.includes('reset') || type.includes('sspr') || type.includes('recovery')) return 'password-reset';
  if (type.includes('mfa') || type.includes('secondfactor') || type.includes('multifactor')) return 'mfa';
  return 'sign-in';
}

/**
 * Validates a one-time passcode send request body. Throws an {@link EventError} listing where the body is wrong
 * (`EVENT_REQUEST_INVALID`, never quoting the code) or naming another tenant (`EVENT_TENANT_MISMATCH`).
 *
 * @example
 *   const request = parseOtpSendRequest(JSON.parse(body), { tenantId });
 *   request.data.otpContext; // { identifier: 'someone@example.com', oneTimeCode: '12345678' }
 */
export function parseOtpSendRequest(body: unknown, expected: { tenantId: string }): OtpSendRequest {
  return parseCallout(otpSendRequestSchema, body, expected, 'OnOtpSend');
}
