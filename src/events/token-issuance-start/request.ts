import { z } from 'zod';
import { userAuthenticationContextSchema } from '../authentication-context.js';
import { parseCallout } from '../parse-callout.js';

// learn.microsoft.com/entra/identity-platform/custom-claims-provider-reference (MicrosoftDocs/entra-docs
// 08d7daf15d793ac0f19588429220ab848138ed6a; fixtures/entra/token-issuance-start.*.json).

/** `type` of an OnTokenIssuanceStart callout (a custom claims provider). */
export const TOKEN_ISSUANCE_START_EVENT_TYPE = 'microsoft.graph.authenticationEvent.tokenIssuanceStart';
export const TOKEN_ISSUANCE_START_DATA_TYPE = 'microsoft.graph.onTokenIssuanceStartCalloutData';

const optionalText = (max: number) => z.string().max(max).nullish();

/**
 * The callout Entra sends before it issues a token: the user (always present: the token is theirs), the client
 * application and, for an access token, the resource it is for.
 */
export const tokenIssuanceStartRequestSchema = z.object({
  type: z.literal(TOKEN_ISSUANCE_START_EVENT_TYPE),
  source: optionalText(1024),
  data: z.object({
    '@odata.type': z.literal(TOKEN_ISSUANCE_START_DATA_TYPE),
    tenantId: optionalText(128),
    authenticationEventListenerId: optionalText(128),
    customAuthenticationExtensionId: optionalText(128),
    authenticationContext: userAuthenticationContextSchema,
  }),
});

export type TokenIssuanceStartRequest = z.infer<typeof tokenIssuanceStartRequestSchema>;

/**
 * Validates an OnTokenIssuanceStart request body. Throws an {@link EventError} listing where the body is wrong
 * (`EVENT_REQUEST_INVALID`) or naming another tenant (`EVENT_TENANT_MISMATCH`).
 *
 * @example
 *   const request = parseTokenIssuanceStartRequest(JSON.parse(body), { tenantId });
 *   request.data.authenticationContext.user.id; // '90847c2a-e29d-4d2f-9f54-c5b4d3f26471'
 */
export function parseTokenIssuanceStartRequest(body: unknown, expected: { tenantId: string }): TokenIssuanceStartRequest {
  return parseCallout(tokenIssuanceStartRequestSchema, body, expected, 'OnTokenIssuanceStart');
}
