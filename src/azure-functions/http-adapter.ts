import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { BODY_LIMIT_IN_BYTES, type ErrorBody } from '../handlers/index.js';

/**
 * The request headers `serve`'s routes read, and only those: the caller token, the body's type and the `Host` an
 * `api://{host}/{appId}` audience must name. Nothing else the Functions front end adds reaches the handlers.
 */
const FORWARDED_HEADERS = ['authorization', 'content-type'] as const;

/** Response headers the Functions host writes itself (RFC 9110 §7.6.1 hop-by-hop, and the length of what it sends). */
const HOST_OWNED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date']);

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } as const;

/**
 * The call as `serve`'s server receives it, for `inject`: the method, the path `serve` answers, the headers it reads
 * and the body. The body is read up to one byte past {@link BODY_LIMIT_IN_BYTES} and no further, so an oversized one
 * still gets `serve`'s 413 (after the caller token, as there) without being copied whole. The Functions host has
 * already received it; nothing here parses it.
 *
 * @example
 *   const response = await server.inject(await toServeRequest(request, '/events/password-submit'));
 */
export async function toServeRequest(request: HttpRequest, path: string): Promise<InjectOptions> {
  const headers: Record<string, string> = { host: hostOf(request) };
  for (const name of FORWARDED_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const method = request.method.toUpperCase();
  const options: InjectOptions = { method: method as 'GET' | 'POST', url: path, headers };
  if (method !== 'GET' && method !== 'HEAD') {
    const body = await readBodyUpTo(request, BODY_LIMIT_IN_BYTES + 1);
    if (body !== undefined) options.payload = body;
  }
  return options;
}

/** `serve`'s answer as the Functions host sends it: status, headers (less those the host writes) and the JSON text. */
export function toResponseInit(response: LightMyRequestResponse): HttpResponseInit {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined || HOST_OWNED_RESPONSE_HEADERS.has(name.toLowerCase())) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return { status: response.statusCode, headers, body: response.body };
}

/** A JSON error answer of the adapter's own (before `serve`'s server could be asked), in the shape `serve` sends. */
export function errorResponse(status: number, body: ErrorBody, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/**
 * The `Host` the caller addressed: the header, or the host of the URL the Functions host built when the header did
 * not come through (Node's `Request` may drop it).
 */
function hostOf(request: HttpRequest): string {
  const header = request.headers.get('host');
  if (header) return header;
  try {
    return new URL(request.url).host;
  } catch {
    return 'localhost';
  }
}

/** At most `limitInBytes` bytes of the body (the rest is left unread and the stream cancelled); undefined without one. */
async function readBodyUpTo(request: HttpRequest, limitInBytes: number): Promise<Buffer | undefined> {
  const stream = request.body;
  if (stream === null) return undefined;
  const reader = stream.getReader();
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    while (length < limitInBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = Buffer.from(value as Uint8Array);
      chunks.push(chunk);
      length += chunk.length;
    }
  } finally {
    if (length >= limitInBytes) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  const body = Buffer.concat(chunks);
  return body.length > limitInBytes ? body.subarray(0, limitInBytes) : body;
}
