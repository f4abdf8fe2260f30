import { z } from 'zod';
import { parseCallout } from '../parse-callout.js';
import { signUpAuthenticationContextSchema, userSignUpInfoSchema } from './sign-up-info.js';

/** `type` of an OnAttributeCollectionStart callout (fixtures/entra/attribute-collection-start.request.json). */
export const ATTRIBUTE_COLLECTION_START_EVENT_TYPE = 'microsoft.graph.authenticationEvent.attributeCollectionStart';
export const ATTRIBUTE_COLLECTION_START_DATA_TYPE = 'microsoft.graph.onAttributeCollectionStartCalloutData';

const optionalText = (max: number) => z.string().max(max).nullish();

/**
 * The callout Entra sends before it shows the attribute collection page. Fields Entra may add beside the
 * documented ones (in `data`, the context, an identity or an attribute) are ignored and dropped, as on the
 * password route: the payload is a preview contract that grows; what we read is checked.
 */
export const attributeCollectionStartRequestSchema = z.object({
  type: z.literal(ATTRIBUTE_COLLECTION_START_EVENT_TYPE),
  source: optionalText(1024),
  data: z.object({
    '@odata.type': z.literal(ATTRIBUTE_COLLECTION_START_DATA_TYPE),
    tenantId: optionalText(128),
    authenticationEventListenerId: optionalText(128),
    customAuthenticationExtensionId: optionalText(128),
    authenticationContext: signUpAuthenticationContextSchema,
    userSignUpInfo: userSignUpInfoSchema,
  }),
});

export type AttributeCollectionStartRequest = z.infer<typeof attributeCollectionStartRequestSchema>;

/**
 * Validates an OnAttributeCollectionStart request body. Throws an {@link EventError} listing where the body is
 * wrong (`EVENT_REQUEST_INVALID`) or naming another tenant (`EVENT_TENANT_MISMATCH`).
 *
 * @example
 *   const request = parseAttributeCollectionStartRequest(JSON.parse(body), { tenantId });
 *   signUpEmailOf(request.data.userSignUpInfo); // 'larissa.price@contoso.onmicrosoft.com'
 */
export function parseAttributeCollectionStartRequest(body: unknown, expected: { tenantId: string }): AttributeCollectionStartRequest {
  return parseCallout(attributeCollectionStartRequestSchema, body, expected, 'OnAttributeCollectionStart');
}
