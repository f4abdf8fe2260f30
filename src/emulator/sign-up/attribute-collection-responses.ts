import { z } from 'zod';
import { CalloutErrorCode } from '../callout-client.js';
import type { AttributeCollectionEvent } from './attribute-collection-requests.js';
import type { AttributeValue, FlowAttribute } from './user-flow.js';
import { AnswerRefusal } from '../events/event-callout.js';

/** What Entra shows when `showBlockPage` carries no message (the OnAttributeCollectionStart reference). */
export const DEFAULT_BLOCK_MESSAGE = 'You are not permitted to sign up. Please contact the owner of the application/website.';

export type StartAction =
  | { action: 'continueWithDefaultBehavior' }
  | { action: 'setPrefillValues'; inputs: Record<string, AttributeValue> }
  | { action: 'showBlockPage'; message: string };

export type SubmitAction =
  | { action: 'continueWithDefaultBehavior' }
  | { action: 'modifyAttributeValues'; attributes: Record<string, AttributeValue> }
  | { action: 'showBlockPage'; message: string }
  | { action: 'showValidationError'; message: string; attributeErrors: Record<string, string> };

/** An answer Entra refuses: the sign-in log code (custom-extension-troubleshoot) and what was wrong. */
export class AnswerRefused extends AnswerRefusal {}

const MAX_TEXT = 1024;
const MAX_ATTRIBUTES = 100;
const value = z.union([z.string().max(MAX_TEXT), z.boolean(), z.number().int().safe()]);
/** Keys are attribute names; `__proto__` and friends are refused with the rest of the malformed bodies. */
const attributeMap = <T extends z.ZodTypeAny>(of: T) =>
  z.record(z.string().min(1).max(200).regex(/^[A-Za-z][A-Za-z0-9_]*$/), of).refine((map) => Object.keys(map).length <= MAX_ATTRIBUTES);

const RESPONSE_TYPES = {
  start: 'microsoft.graph.onAttributeCollectionStartResponseData',
  submit: 'microsoft.graph.onAttributeCollectionSubmitResponseData',
} as const;

// `@odata.type` of an action is any string here so "unknown action" (1003012) is told apart from a malformed body (1003003).
const envelope = (event: AttributeCollectionEvent) =>
  z.object({
    data: z.object({
      '@odata.type': z.literal(RESPONSE_TYPES[event]),
      actions: z.array(z.object({ '@odata.type': z.string().max(256) }).passthrough()).max(100),
    }),
  });

const START_ACTIONS = {
  'microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior': z.object({}).passthrough(),
  'microsoft.graph.attributeCollectionStart.setPrefillValues': z.object({ inputs: attributeMap(value) }).passthrough(),
  'microsoft.graph.attributeCollectionStart.showBlockPage': z.object({ message: z.string().max(MAX_TEXT).optional() }).passthrough(),
} as const;

const SUBMIT_ACTIONS = {
  'microsoft.graph.attributeCollectionSubmit.continueWithDefaultBehavior': z.object({}).passthrough(),
  'microsoft.graph.attributeCollectionSubmit.modifyAttributeValues': z.object({ attributes: attributeMap(value) }).passthrough(),
  'microsoft.graph.attributeCollectionSubmit.showBlockPage': z.object({ message: z.string().max(MAX_TEXT).optional() }).passthrough(),
  'microsoft.graph.attributeCollectionSubmit.showValidationError': z
    .object({ message: z.string().min(1).max(MAX_TEXT), attributeErrors: attributeMap(z.string().min(1).max(MAX_TEXT)).optional() })
    .passthrough(),
} as const;

/** The one action of an answer, judged as Entra judges it: envelope (1003003), one action (1003010), a known one (1003012), its fields (1003003). */
function onlyAction<T extends Record<string, z.ZodTypeAny>>(event: AttributeCollectionEvent, json: unknown, actions: T): { type: keyof T & string; body: z.infer<T[keyof T]> } {
  const parsed = envelope(event).safeParse(json);
  if (!parsed.success) throw new AnswerRefused(CalloutErrorCode.INVALID_RESPONSE_BODY, `the answer does not match the ${RESPONSE_TYPES[event]} schema`);
  const list = parsed.data.data.actions;
  if (list.length !== 1) throw new AnswerRefused(CalloutErrorCode.INVALID_ACTION_COUNT, `the answer holds ${list.length} actions; exactly one is required`);
  const type = list[0]!['@odata.type'];
  if (!Object.hasOwn(actions, type)) throw new AnswerRefused(CalloutErrorCode.INVALID_ACTION_TYPE, `"${type.slice(0, 80)}" is not an ${event === 'start' ? 'OnAttributeCollectionStart' : 'OnAttributeCollectionSubmit'} action`);
  const body = actions[type]!.safeParse(list[0]);
  if (!body.success) throw new AnswerRefused(CalloutErrorCode.INVALID_RESPONSE_BODY, `the ${type.split('.').pop()} action's fields do not match its schema`);
  return { type, body: body.data as z.infer<T[keyof T]> };
}

/**
 * Keeps the values for attributes the flow collects — "any extra attributes that are returned but that aren't part
 * of the attribute collection are ignored" (OnAttributeCollectionSubmit reference) — and refuses a value whose type
 * is not the attribute's ("the response value types should match the request value types") with 1003003.
 */
function collectedValues(values: Record<string, AttributeValue>, attributes: readonly FlowAttribute[]): Record<string, AttributeValue> {
  const kept: Record<string, AttributeValue> = {};
  for (const [name, given] of Object.entries(values)) {
    const attribute = attributes.find((candidate) => candidate.name === name);
    if (!attribute) continue;
    const fits = attribute.dataType === 'string' ? typeof given === 'string' : attribute.dataType === 'boolean' ? typeof given === 'boolean' : typeof given === 'number';
    if (!fits) throw new AnswerRefused(CalloutErrorCode.INVALID_RESPONSE_BODY, `the value for ${name} is not a ${attribute.dataType}`);
    kept[name] = given;
  }
  return kept;
}

/**
 * Judges an OnAttributeCollectionStart answer (already parsed JSON).
 *
 * @example
 *   parseStartAnswer({ data: { '@odata.type': 'microsoft.graph.onAttributeCollectionStartResponseData',
 *     actions: [{ '@odata.type': 'microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior' }] } }, attributes);
 *   // { action: 'continueWithDefaultBehavior' }
 */
export function parseStartAnswer(json: unknown, attributes: readonly FlowAttribute[]): StartAction {
  const { type, body } = onlyAction('start', json, START_ACTIONS);
  switch (type) {
    case 'microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior':
      return { action: 'continueWithDefaultBehavior' };
    case 'microsoft.graph.attributeCollectionStart.setPrefillValues':
      return { action: 'setPrefillValues', inputs: collectedValues((body as { inputs: Record<string, AttributeValue> }).inputs, attributes) };
    default:
      return { action: 'showBlockPage', message: (body as { message?: string }).message ?? DEFAULT_BLOCK_MESSAGE };
  }
}

/**
 * Judges an OnAttributeCollectionSubmit answer (already parsed JSON). Errors for attributes the page does not show
 * (hidden or not collected) are kept out of `attributeErrors`: there is no field to show them under.
 *
 * @example
 *   const action = parseSubmitAnswer(json, attributes);
 *   if (action.action === 'showValidationError') showForm(action.message, action.attributeErrors);
 */
export function parseSubmitAnswer(json: unknown, attributes: readonly FlowAttribute[]): SubmitAction {
  const { type, body } = onlyAction('submit', json, SUBMIT_ACTIONS);
  switch (type) {
    case 'microsoft.graph.attributeCollectionSubmit.continueWithDefaultBehavior':
      return { action: 'continueWithDefaultBehavior' };
    case 'microsoft.graph.attributeCollectionSubmit.modifyAttributeValues':
      return { action: 'modifyAttributeValues', attributes: collectedValues((body as { attributes: Record<string, AttributeValue> }).attributes, attributes) };
    case 'microsoft.graph.attributeCollectionSubmit.showValidationError': {
      const { message, attributeErrors = {} } = body as { message: string; attributeErrors?: Record<string, string> };
      const shown = new Set(attributes.filter((attribute) => !attribute.hidden).map((attribute) => attribute.name));
      return { action: 'showValidationError', message, attributeErrors: Object.fromEntries(Object.entries(attributeErrors).filter(([name]) => shown.has(name))) };
    }
    default:
      return { action: 'showBlockPage', message: (body as { message?: string }).message ?? DEFAULT_BLOCK_MESSAGE };
  }
}
