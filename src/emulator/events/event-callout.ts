import { CalloutErrorCode } from '../callout-client.js';
import { mintCalloutToken } from '../callout-token.js';
import type { EmulatedTenant } from '../tenant.js';
import type { EventEndpoint } from './event-listener.js';

/** An answer is read to at most this many bytes; a longer one is a malformed body (1003003). */
const MAX_ANSWER_BYTES = 64 * 1024;

export type EventCalloutResult<A> =
  | { ok: true; answer: A; attempts: number; latencyInMs: number }
  | { ok: false; errorCode: number; detail: string; attempts: number; latencyInMs: number };

/** Thrown by a `judge` to refuse an answer with an Entra sign-in log code (never retried). */
export class AnswerRefusal extends Error {
  constructor(readonly errorCode: number, detail: string) {
    super(detail);
  }
}

export interface EventCalloutRequest<A> {
  tenant: EmulatedTenant;
  endpoint: Pick<EventEndpoint, 'targetUrl' | 'appId' | 'timeoutInMs' | 'maximumRetries'>;
  /** The request body; built once, sent on each attempt. */
  body: unknown;
  /** Reads the parsed JSON answer: returns the answer or throws an {@link AnswerRefusal}. */
  judge: (json: unknown) => A;
  now: () => number;
  fetch?: typeof globalThis.fetch;
}

class Failure extends Error {
  constructor(readonly errorCode: number, detail: string, readonly retriable: boolean) {
    super(detail);
  }
}

/**
 * Calls an event's custom extension as Entra does for every event: a fresh bearer token for the extension's app
 * (as callout-client.ts mints it), `timeoutInMilliseconds` per attempt, at most `maximumRetries` retries on a
 * timeout, a network failure or a 5xx, then the answer judged: HTTP 200 (1003002), `application/json` (1003006),
 * JSON of at most 64 KiB (1003003), then the event's own rules through `judge`. `detail` never quotes the answer.
 *
 * @example
 *   const result = await callEventExtension({ tenant, endpoint, body, judge: judgeOtpSendAnswer, now: Date.now });
 */
export async function callEventExtension<A>(request: EventCalloutRequest<A>): Promise<EventCalloutResult<A>> {
  const started = request.now();
  let attempts = 0;
  for (;;) {
    attempts++;
    try {
      const answer = request.judge(await post(request));
      return { ok: true, answer, attempts, latencyInMs: request.now() - started };
    } catch (error) {
      const failure =
        error instanceof Failure ? error : error instanceof AnswerRefusal ? new Failure(error.errorCode, error.message, false) : new Failure(CalloutErrorCode.UNEXPECTED, 'the call failed unexpectedly', false);
      if (failure.retriable && attempts <= request.endpoint.maximumRetries) continue;
      return { ok: false, errorCode: failure.errorCode, detail: failure.message, attempts, latencyInMs: request.now() - started };
    }
  }
}

async function post<A>(request: EventCalloutRequest<A>): Promise<unknown> {
  const { endpoint } = request;
  let response: Response;
  try {
    response = await (request.fetch ?? globalThis.fetch)(endpoint.targetUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await mintCalloutToken(request.tenant, { audience: endpoint.appId, now: request.now() })}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(request.body),
      redirect: 'error',
      signal: AbortSignal.timeout(endpoint.timeoutInMs),
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
