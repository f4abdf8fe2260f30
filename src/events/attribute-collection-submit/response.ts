import { z } from 'zod';
import { attributeMap, attributeValueSchema, type AttributeValue } from '../attribute-collection-start/sign-up-info.js';
import { describeIssues } from '../describe-issues.js';
import { EventError, EventErrorCode } from '../errors.js';
import { MAX_MESSAGE_LENGTH, MAX_TITLE_LENGTH } from '../password-submit/response.js';
import { requireKnownAction } from '../known-action.js';

export const ATTRIBUTE_COLLECTION_SUBMIT_RESPONSE_TYPE = 'microsoft.graph.onAttributeCollectionSubmitResponseData';

/** The four answers Entra understands for OnAttributeCollectionSubmit. */
export const ATTRIBUTE_COLLECTION_SUBMIT_ACTIONS = ['continueWithDefaultBehavior', 'modifyAttributeValues', 'showBlockPage', 'showValidationError'] as const;
export type AttributeCollectionSubmitAction = (typeof ATTRIBUTE_COLLECTION_SUBMIT_ACTIONS)[number];

export const attributeCollectionSubmitActionODataType = (action: AttributeCollectionSubmitAction) =>
  `microsoft.graph.attributeCollectionSubmit.${action}` as const;

// `@odata.type` is any string here so a reader can tell "unknown action" (Entra's 1003012) apart from a malformed
// body (1003003); attributeCollectionSubmitActionOf names the action.
const actionSchema = z.object({
  '@odata.type': z.string().max(256),
  title: z.string().max(MAX_TITLE_LENGTH).optional(),
  message: z.string().max(MAX_MESSAGE_LENGTH).optional(),
  attributes: attributeMap(attributeValueSchema, 'attribute').optional(),
  attributeErrors: attributeMap(z.string().max(MAX_MESSAGE_LENGTH), 'attribute error').optional(),
});

/**
 * The answer's schema (no nonce: only OnPasswordSubmit has one). The server derives its Fastify response schema
 * (the allow-list of fields it may send) from this, and the emulator validates extensions' answers with it.
 */
export const attributeCollectionSubmitResponseSchema = z.object({
  data: z.object({
    '@odata.type': z.literal(ATTRIBUTE_COLLECTION_SUBMIT_RESPONSE_TYPE),
    actions: z.array(actionSchema),
  }),
});

export type AttributeCollectionSubmitResponse = z.infer<typeof attributeCollectionSubmitResponseSchema>;

/** What the extension decided; one answer is one action. */
export type AttributeCollectionSubmitAnswer =
  | { action: 'continueWithDefaultBehavior' }
  /** Values that replace what the user typed; Entra ignores names the page does not collect. */
  | { action: 'modifyAttributeValues'; attributes: Readonly<Record<string, AttributeValue>> }
  | { action: 'showBlockPage'; title?: string; message: string }
  /**
   * A message over the form and one under each named field. Never name the e-mail: on the attribute page it is a
   * hidden, read-only input, so an error there would trap the user (issue 11).
   */
  | { action: 'showValidationError'; message: string; attributeErrors: Readonly<Record<string, string>> };

/**
 * Builds the body Entra expects: exactly one action. Title, message and each attribute error are cut to their
 * limits; attribute values that break the schema (a name that is not an attribute name, a value too long, too
 * many) throw `EVENT_RESPONSE_INVALID` rather than reach Entra or be dropped silently.
 *
 * @example
 *   buildAttributeCollectionSubmitResponse({ action: 'modifyAttributeValues', attributes: { extension_1234_legacyId: '42' } })
 *   // { data: { '@odata.type': 'microsoft.graph.onAttributeCollectionSubmitResponseData',
 *   //           actions: [{ '@odata.type': 'microsoft.graph.attributeCollectionSubmit.modifyAttributeValues',
 *   //                       attributes: { extension_1234_legacyId: '42' } }] } }
 */
export function buildAttributeCollectionSubmitResponse(answer: AttributeCollectionSubmitAnswer): AttributeCollectionSubmitResponse {
  requireKnownAction(ATTRIBUTE_COLLECTION_SUBMIT_ACTIONS, answer.action);
  const action: AttributeCollectionSubmitResponse['data']['actions'][number] = { '@odata.type': attributeCollectionSubmitActionODataType(answer.action) };
  switch (answer.action) {
    case 'continueWithDefaultBehavior':
      break;
    case 'modifyAttributeValues':
      action.attributes = { ...answer.attributes };
      break;
    case 'showBlockPage':
      if (answer.title !== undefined) action.title = answer.title.slice(0, MAX_TITLE_LENGTH);
      action.message = answer.message.slice(0, MAX_MESSAGE_LENGTH);
      break;
    case 'showValidationError':
      action.message = answer.message.slice(0, MAX_MESSAGE_LENGTH);
      action.attributeErrors = Object.fromEntries(Object.entries(answer.attributeErrors).map(([name, error]) => [name, error.slice(0, MAX_MESSAGE_LENGTH)]));
      break;
  }
  return parseAttributeCollectionSubmitResponse({ data: { '@odata.type': ATTRIBUTE_COLLECTION_SUBMIT_RESPONSE_TYPE, actions: [action] } });
}

/**
 * Reads an extension's answer the way Entra does. Throws an {@link EventError} whose `issues` say what is wrong;
 * the emulator maps those to Entra's 1003xxx codes.
 */
export function parseAttributeCollectionSubmitResponse(body: unknown): AttributeCollectionSubmitResponse {
  const result = attributeCollectionSubmitResponseSchema.safeParse(body);
  if (!result.success) {
    throw new EventError(EventErrorCode.RESPONSE_INVALID, 'The extension answered with a body Entra would not accept.', describeIssues(result.error));
  }
  return result.data;
}

/** The action an answer carries, or undefined for an `@odata.type` outside the four. */
export function attributeCollectionSubmitActionOf(odataType: string): AttributeCollectionSubmitAction | undefined {
  return ATTRIBUTE_COLLECTION_SUBMIT_ACTIONS.find((action) => attributeCollectionSubmitActionODataType(action) === odataType);
}
