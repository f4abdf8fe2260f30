import { CalloutErrorCode } from '../callout-client.js';
import { mintCalloutToken } from '../callout-token.js';
import type { EmulatedTenant } from '../tenant.js';
import { attributeCollectionRequest, type AttributeCollectionEvent, type SignUpContext } from './attribute-collection-requests.js';
import { AnswerRefused, parseStartAnswer, parseSubmitAnswer, type StartAction, type SubmitAction } from './attribute-collection-responses.js';
import type { AttributeCollectionEndpoint, AttributeValue, FlowAttribute } from './user-flow.js';

/** An answer is read to at most this many bytes; a longer one is a malformed body. */
const MAX_ANSWER_BYTES = 64 * 1024;

export type AttributeCalloutResult<A> =
  | { ok: true; answer: A; attempts: number; latencyInMs: number }
  | { ok: false; errorCode: number; detail: string; attempts: number; latencyInMs: number };

export interface AttributeCalloutRequest {
  tenant: EmulatedTenant;
  endpoint: AttributeCollectionEndpoint;
  attributes: readonly FlowAttribute[];
  values: Readonly<Record<string, AttributeValue>>;
  context: SignUpContext;
  now: () => number;
  fetch?: typeof globalThis.fetch;
}

class Failure extends Error {
  constructor(readonly errorCode: number, detail: string, readonly retriable: boolean) {
    super(detail);
  }
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

async function call<A>(event: AttributeCollectionEvent, request: AttributeCalloutRequest, judge: (json: unknown) => A): Promise<AttributeCalloutResult<A>> {
  const started = request.now();
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const answer = judge(await post(event, request));
      return { ok: true, answer, attempts, latencyInMs: request.now() - started };
    } catch (error) {
      const failure =
        error instanceof Failure ? error : error instanceof AnswerRefused ? new Failure(error.errorCode, error.message, false) : new Failure(CalloutErrorCode.UNEXPECTED, 'the call failed unexpectedly', false);
      if (failure.retriable && attempts <= request.endpoint.maximumRetries) continue;
      return { ok: false, errorCode: failure.errorCode, detail: failure.message, attempts, latencyInMs: request.now() - started };
    }
  }
}

/** One attempt: the answer's JSON, or a Failure. */
async function post(event: AttributeCollectionEvent, request: AttributeCalloutRequest): Promise<unknown> {
  const { endpoint } = request;
  const body = attributeCollectionRequest(event, request);
  const signal = AbortSignal.timeout(endpoint.timeoutInMs);
  let response: Response;
  try {
    response = await (request.fetch ?? globalThis.fetch)(endpoint.targetUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await mintCalloutToken(request.tenant, { audience: endpoint.appId, now: request.now() })}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
      redirect: 'error',
      signal,
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') throw new Failure(CalloutErrorCode.TIMEOUT, `no answer within ${endpoint.timeoutInMs} ms`, true);
    throw new Failure(CalloutErrorCode.UNEXPECTED, 'the extension could not be reached', true);
  }
  let text: string;
  try {
    text = await readBounded(response);
  } catch (error) {
    if (error instanceof Failure) throw error;
    throw new Failure(CalloutErrorCode.TIMEOUT, `the answer did not complete within ${endpoint.timeoutInMs} ms`, true);
  }
  if (response.status !== 200) throw new Failure(CalloutErrorCode.INVALID_HTTP_STATUS, `the extension answered HTTP ${response.status}`, response.status >= 500);
  const contentType = response.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(contentType)) {
    throw new Failure(CalloutErrorCode.INVALID_CONTENT_TYPE, `the answer's content type is "${contentType.slice(0, 60)}", not application/json`, false);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Failure(CalloutErrorCode.INVALID_RESPONSE_BODY, 'the answer is not JSON', false);
  }
}

async function readBounded(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_ANSWER_BYTES) throw new Failure(CalloutErrorCode.INVALID_RESPONSE_BODY, `the answer is larger than ${MAX_ANSWER_BYTES} bytes`, false);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
