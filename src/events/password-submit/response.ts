import { z } from 'zod';
import { describeIssues } from '../describe-issues.js';
import { EventError, EventErrorCode } from '../errors.js';
import { requireKnownAction } from '../known-action.js';

export const PASSWORD_SUBMIT_RESPONSE_TYPE = 'microsoft.graph.onPasswordSubmitResponseData';

/** The four answers Entra understands for OnPasswordSubmit. */
export const PASSWORD_SUBMIT_ACTIONS = ['MigratePassword', 'UpdatePassword', 'Retry', 'Block'] as const;
export type PasswordSubmitAction = (typeof PASSWORD_SUBMIT_ACTIONS)[number];

export const actionODataType = (action: PasswordSubmitAction) => `microsoft.graph.passwordSubmit.${action}` as const;

/** Longest title and message we send; Entra shows them on its sign-in page. */
export const MAX_TITLE_LENGTH = 256;
export const MAX_MESSAGE_LENGTH = 1024;
/** Longest nonce an answer may echo; a context with a longer one is refused rather than answered with a body Entra rejects. */
export const MAX_NONCE_LENGTH = 256;

// `@odata.type` is any string here so a reader can tell "unknown action" (Entra's 1003012) apart from a malformed
// body (1003003); `actionOf` names the action, and the server only ever builds the four known ones.
const actionSchema = z.object({
  '@odata.type': z.string().max(256),
  title: z.string().max(MAX_TITLE_LENGTH).optional(),
  message: z.string().max(MAX_MESSAGE_LENGTH).optional(),
});

/**
 * The answer's schema. The server derives its Fastify response schema (the allow-list of fields it may send)
 * from this, and the emulator validates extensions' answers with it.
 */
export const passwordSubmitResponseSchema = z.object({
  data: z.object({
    '@odata.type': z.literal(PASSWORD_SUBMIT_RESPONSE_TYPE),
    actions: z.array(actionSchema),
    nonce: z.string().min(1).max(MAX_NONCE_LENGTH),
  }),
});

export type PasswordSubmitResponse = z.infer<typeof passwordSubmitResponseSchema>;

export interface PasswordSubmitAnswer {
  action: PasswordSubmitAction;
  title?: string;
  message?: string;
}

/**
 * Builds the body Entra expects: exactly one action and the nonce echoed from the password context.
 *
 * @example
 *   buildPasswordSubmitResponse({ action: 'MigratePassword' }, context.nonce)
 *   // { data: { '@odata.type': 'microsoft.graph.onPasswordSubmitResponseData',
 *   //           actions: [{ '@odata.type': 'microsoft.graph.passwordSubmit.MigratePassword' }], nonce } }
 */
export function buildPasswordSubmitResponse(answer: PasswordSubmitAnswer, nonce: string): PasswordSubmitResponse {
  requireKnownAction(PASSWORD_SUBMIT_ACTIONS, answer.action);
  const action: PasswordSubmitResponse['data']['actions'][number] = { '@odata.type': actionODataType(answer.action) };
  if (answer.title !== undefined) action.title = answer.title.slice(0, MAX_TITLE_LENGTH);
  if (answer.message !== undefined) action.message = answer.message.slice(0, MAX_MESSAGE_LENGTH);
  return { data: { '@odata.type': PASSWORD_SUBMIT_RESPONSE_TYPE, actions: [action], nonce } };
}

/**
 * Reads an extension's answer the way Entra does. Throws an {@link EventError} whose `issues` say what is wrong;
 * the emulator maps those to Entra's 1003xxx codes.
 */
export function parsePasswordSubmitResponse(body: unknown): PasswordSubmitResponse {
  const result = passwordSubmitResponseSchema.safeParse(body);
  if (!result.success) {
    throw new EventError(EventErrorCode.RESPONSE_INVALID, 'The extension answered with a body Entra would not accept.', describeIssues(result.error));
  }
  return result.data;
}

/** The action an answer carries, or undefined for an `@odata.type` outside the four. */
export function actionOf(odataType: string): PasswordSubmitAction | undefined {
  return PASSWORD_SUBMIT_ACTIONS.find((action) => actionODataType(action) === odataType);
}
