import { z } from 'zod';
import { userAuthenticationContextSchema } from '../authentication-context.js';
import { describeIssues } from '../describe-issues.js';
import { EventError, EventErrorCode } from '../errors.js';

/** `type` of an OnPasswordSubmit callout (DESIGN.md "Protocol facts"; fixtures/entra/password-submit.request.json). */
export const PASSWORD_SUBMIT_EVENT_TYPE = 'microsoft.graph.authenticationEvent.passwordSubmit';
export const PASSWORD_SUBMIT_DATA_TYPE = 'microsoft.graph.onPasswordSubmitCalloutData';

/** Longest compact JWE we accept; Entra's are about 1 KiB. The security layer checks it again before any crypto. */
export const MAX_ENCRYPTED_CONTEXT_LENGTH = 16 * 1024;

const text = (max: number) => z.string().max(max);
const optionalText = (max: number) => z.string().max(max).nullish();

export const passwordSubmitRequestSchema = z.object({
  type: z.literal(PASSWORD_SUBMIT_EVENT_TYPE),
  source: optionalText(1024),
  data: z.object({
    '@odata.type': z.literal(PASSWORD_SUBMIT_DATA_TYPE),
    tenantId: optionalText(128),
    authenticationEventListenerId: optionalText(128),
    customAuthenticationExtensionId: optionalText(128),
    encryptedPasswordContext: text(MAX_ENCRYPTED_CONTEXT_LENGTH).min(1),
    authenticationContext: userAuthenticationContextSchema,
  }),
});

export type PasswordSubmitRequest = z.infer<typeof passwordSubmitRequestSchema>;

/**
 * Validates an OnPasswordSubmit request body. Throws an {@link EventError} listing where the body is wrong.
 *
 * @example
 *   const request = parsePasswordSubmitRequest(JSON.parse(body), { tenantId });
 *   request.data.authenticationContext.user.id;
 */
export function parsePasswordSubmitRequest(body: unknown, expected: { tenantId: string }): PasswordSubmitRequest {
  const result = passwordSubmitRequestSchema.safeParse(body);
  if (!result.success) {
    throw new EventError(EventErrorCode.REQUEST_INVALID, 'The request is not a valid OnPasswordSubmit event.', describeIssues(result.error));
  }
  const { tenantId } = result.data.data;
  // The caller token already proved the tenant; a payload naming another tenant is refused rather than trusted.
  if (tenantId && tenantId.toLowerCase() !== expected.tenantId.toLowerCase()) {
    throw new EventError(EventErrorCode.TENANT_MISMATCH, 'The event names a tenant this extension does not serve.', ['data.tenantId']);
  }
  return result.data;
}
