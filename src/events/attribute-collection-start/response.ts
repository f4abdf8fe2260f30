import { z } from 'zod';
import { describeIssues } from '../describe-issues.js';
import { EventError, EventErrorCode } from '../errors.js';
import { MAX_MESSAGE_LENGTH, MAX_TITLE_LENGTH } from '../password-submit/response.js';
import { attributeMap, attributeValueSchema, type AttributeValue } from './sign-up-info.js';
import { requireKnownAction } from '../known-action.js';

export const ATTRIBUTE_COLLECTION_START_RESPONSE_TYPE = 'microsoft.graph.onAttributeCollectionStartResponseData';

/** The three answers Entra understands for OnAttributeCollectionStart. */
export const ATTRIBUTE_COLLECTION_START_ACTIONS = ['continueWithDefaultBehavior', 'setPrefillValues', 'showBlockPage'] as const;
export type AttributeCollectionStartAction = (typeof ATTRIBUTE_COLLECTION_START_ACTIONS)[number];

export const attributeCollectionStartActionODataType = (action: AttributeCollectionStartAction) =>
  `microsoft.graph.attributeCollectionStart.${action}` as const;

// `@odata.type` is any string here so a reader can tell "unknown action" (Entra's 1003012) apart from a malformed
// body (1003003); attributeCollectionStartActionOf names the action.
const actionSchema = z.object({
  '@odata.type': z.string().max(256),
  title: z.string().max(MAX_TITLE_LENGTH).optional(),
  message: z.string().max(MAX_MESSAGE_LENGTH).optional(),
  inputs: attributeMap(attributeValueSchema, 'prefill input').optional(),
});

/**
 * The answer's schema (no nonce: only OnPasswordSubmit has one). The server derives its Fastify response schema
 * (the allow-list of fields it may send) from this, and the emulator validates extensions' answers with it.
 */
export const attributeCollectionStartResponseSchema = z.object({
  data: z.object({
    '@odata.type': z.literal(ATTRIBUTE_COLLECTION_START_RESPONSE_TYPE),
    actions: z.array(actionSchema),
  }),
});

export type AttributeCollectionStartResponse = z.infer<typeof attributeCollectionStartResponseSchema>;

/** What the extension decided; one answer is one action. */
export type AttributeCollectionStartAnswer =
  | { action: 'continueWithDefaultBehavior' }
  /** Values to show in the form; Entra ignores names the page does not collect (pick them with onlyCollectedAttributes). */
  | { action: 'setPrefillValues'; inputs: Readonly<Record<string, AttributeValue>> }
  | { action: 'showBlockPage'; title?: string; message: string };

/**
 * Builds the body Entra expects: exactly one action. Title and message are cut to their limits; prefill values
 * that break the schema (a name that is not an attribute name, a value too long, too many) throw
 * `EVENT_RESPONSE_INVALID` rather than reach Entra.
 *
 * @example
 *   buildAttributeCollectionStartResponse({ action: 'setPrefillValues', inputs: { givenName: 'Larissa' } })
 *   // { data: { '@odata.type': 'microsoft.graph.onAttributeCollectionStartResponseData',
 *   //           actions: [{ '@odata.type': 'microsoft.graph.attributeCollectionStart.setPrefillValues',
 *   //                       inputs: { givenName: 'Larissa' } }] } }
 */
export function buildAttributeCollectionStartResponse(answer: AttributeCollectionStartAnswer): AttributeCollectionStartResponse {
  requireKnownAction(ATTRIBUTE_COLLECTION_START_ACTIONS, answer.action);
  const action: AttributeCollectionStartResponse['data']['actions'][number] = { '@odata.type': attributeCollectionStartActionODataType(answer.action) };
  if (answer.action === 'setPrefillValues') action.inputs = { ...answer.inputs };
  if (answer.action === 'showBlockPage') {
    if (answer.title !== undefined) action.title = answer.title.slice(0, MAX_TITLE_LENGTH);
    action.message = answer.message.slice(0, MAX_MESSAGE_LENGTH);
  }
  return parseAttributeCollectionStartResponse({ data: { '@odata.type': ATTRIBUTE_COLLECTION_START_RESPONSE_TYPE, actions: [action] } });
}

/**
 * Reads an extension's answer the way Entra does. Throws an {@link EventError} whose `issues` say what is wrong;
 * the emulator maps those to Entra's 1003xxx codes.
 */
export function parseAttributeCollectionStartResponse(body: unknown): AttributeCollectionStartResponse {
  const result = attributeCollectionStartResponseSchema.safeParse(body);
  if (!result.success) {
    throw new EventError(EventErrorCode.RESPONSE_INVALID, 'The extension answered with a body Entra would not accept.', describeIssues(result.error));
  }
  return result.data;
}

/** The action an answer carries, or undefined for an `@odata.type` outside the three. */
export function attributeCollectionStartActionOf(odataType: string): AttributeCollectionStartAction | undefined {
  return ATTRIBUTE_COLLECTION_START_ACTIONS.find((action) => attributeCollectionStartActionODataType(action) === odataType);
}
