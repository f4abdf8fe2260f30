import { z } from 'zod';
import { parseCallout } from '../parse-callout.js';
import { signUpAuthenticationContextSchema, userSignUpInfoSchema } from '../attribute-collection-start/sign-up-info.js';

/** `type` of an OnAttributeCollectionSubmit callout (fixtures/entra/attribute-collection-submit.request.json). */
export const ATTRIBUTE_COLLECTION_SUBMIT_EVENT_TYPE = 'microsoft.graph.authenticationEvent.attributeCollectionSubmit';
export const ATTRIBUTE_COLLECTION_SUBMIT_DATA_TYPE = 'microsoft.graph.onAttributeCollectionSubmitCalloutData';

const optionalText = (max: number) => z.string().max(max).nullish();

/**
 * The callout Entra sends when the user submits the attribute collection page: the same `userSignUpInfo` as at
 * start, now with the values the user typed. Fields Entra may add beside the documented ones are ignored and
 * dropped, as on the password route.
 */
export const attributeCollectionSubmitRequestSchema = z.object({
  type: z.literal(ATTRIBUTE_COLLECTION_SUBMIT_EVENT_TYPE),
  source: optionalText(1024),
  data: z.object({
    '@odata.type': z.literal(ATTRIBUTE_COLLECTION_SUBMIT_DATA_TYPE),
    tenantId: optionalText(128),
    authenticationEventListenerId: optionalText(128),
    customAuthenticationExtensionId: optionalText(128),
    authenticationContext: signUpAuthenticationContextSchema,
    userSignUpInfo: userSignUpInfoSchema,
  }),
});

export type AttributeCollectionSubmitRequest = z.infer<typeof attributeCollectionSubmitRequestSchema>;

/**
 * Validates an OnAttributeCollectionSubmit request body. Throws an {@link EventError} listing where the body is
 * wrong (`EVENT_REQUEST_INVALID`) or naming another tenant (`EVENT_TENANT_MISMATCH`).
 *
 * @example
 *   const request = parseAttributeCollectionSubmitRequest(JSON.parse(body), { tenantId });
 *   request.data.userSignUpInfo.attributes.givenName?.value; // 'Larissa Price'
 */
export function parseAttributeCollectionSubmitRequest(body: unknown, expected: { tenantId: string }): AttributeCollectionSubmitRequest {
  return parseCallout(attributeCollectionSubmitRequestSchema, body, expected, 'OnAttributeCollectionSubmit');
}
