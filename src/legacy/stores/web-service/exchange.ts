import { request, type Dispatcher } from 'undici';
import { serviceAnswer, type ServiceAnswer } from './answer-body.js';
import type { CallBounds } from './call-bounds.js';

/** One request to the service. */
export interface ServiceRequest {
  method: 'POST' | 'GET' | 'OPTIONS';
  headers: Record<string, string>;
  body?: string;
}

/**
 * Sends one request through the pool and hands back the answer once its headers are in, its body read later and
 * at most `maxBytes` deep. Redirects are not followed (undici's `request` follows none unless told to). Headers and
 * body share the call's bounds: `bounds.signal` aborts either, and undici's own header and body timers are set to
 * the same time as a backstop.
 *
 * @example
 *   const answer = await exchange(agent, url, { method: 'GET', headers: {} }, bounds, 65536);
 */
export async function exchange(
  dispatcher: Dispatcher,
  url: URL,
  init: ServiceRequest,
  bounds: CallBounds,
  maxBytes: number,
): Promise<ServiceAnswer> {
  const response = await request(url, {
    dispatcher,
    method: init.method,
    headers: init.headers,
    body: init.body ?? null,
    signal: bounds.signal,
    headersTimeout: bounds.timeoutInMs,
    bodyTimeout: bounds.timeoutInMs,
  });
  return serviceAnswer(response.statusCode, response.headers['content-length'], response.body, {
    maxBytes,
    drainForInMs: bounds.timeoutInMs,
  });
}
