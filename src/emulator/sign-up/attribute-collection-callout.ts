import type { EmulatedTenant } from '../tenant.js';
import { callEventExtension, type EventCalloutResult } from '../events/event-callout.js';
import { attributeCollectionRequest, type AttributeCollectionEvent, type SignUpContext } from './attribute-collection-requests.js';
import { parseStartAnswer, parseSubmitAnswer, type StartAction, type SubmitAction } from './attribute-collection-responses.js';
import type { AttributeCollectionEndpoint, AttributeValue, FlowAttribute } from './user-flow.js';

export type AttributeCalloutResult<A> = EventCalloutResult<A>;

export interface AttributeCalloutRequest {
  tenant: EmulatedTenant;
  endpoint: AttributeCollectionEndpoint;
  attributes: readonly FlowAttribute[];
  values: Readonly<Record<string, AttributeValue>>;
  context: SignUpContext;
  now: () => number;
  fetch?: typeof globalThis.fetch;
}

/**
 * Calls an OnAttributeCollectionStart extension as Entra does (the same rules as OnPasswordSubmit: a fresh bearer
 * token for the extension's app, `timeoutInMilliseconds` per attempt, at most `maximumRetries` retries on a
 * timeout, a network failure or a 5xx, and the sign-in log codes of custom-extension-troubleshoot for an answer
 * Entra refuses).
 *
 * @example
 *   const result = await callAttributeCollectionStart({ tenant, endpoint: flow.start, attributes: flow.attributes, values: {}, context, now: Date.now });
 */
export function callAttributeCollectionStart(request: AttributeCalloutRequest): Promise<AttributeCalloutResult<StartAction>> {
  return call('start', request, (json) => parseStartAnswer(json, request.attributes));
}

/** Calls an OnAttributeCollectionSubmit extension with the values the user submitted; see callAttributeCollectionStart. */
export function callAttributeCollectionSubmit(request: AttributeCalloutRequest): Promise<AttributeCalloutResult<SubmitAction>> {
  return call('submit', request, (json) => parseSubmitAnswer(json, request.attributes));
}

function call<A>(event: AttributeCollectionEvent, request: AttributeCalloutRequest, judge: (json: unknown) => A): Promise<AttributeCalloutResult<A>> {
  return callEventExtension({ tenant: request.tenant, endpoint: request.endpoint, body: attributeCollectionRequest(event, request), judge, now: request.now, ...(request.fetch && { fetch: request.fetch }) });
}
