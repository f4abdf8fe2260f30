import { BODY_LIMIT_IN_BYTES } from '../handlers/refusals.js';

/**
 * What an adapter hands the endpoint as the request body: the raw text or bytes, the request stream itself (Node's
 * `IncomingMessage`, read only once the caller token passed, and never past the limit), or a value its framework
 * already parsed from JSON.
 */
export type EventCallBody = string | Uint8Array | AsyncIterable<Uint8Array | string> | unknown;

export type BodyReading = { ok: true; value: unknown } | { ok: false; problem: 'too-large' | 'not-json' };

/**
 * Reads a call's body: text, bytes and streams are decoded as UTF-8 (fatal: broken bytes are not JSON) and parsed;
 * more than {@link BODY_LIMIT_IN_BYTES} is refused without reading further; anything else is taken as parsed.
 */
export async function readBody(body: EventCallBody, limitInBytes = BODY_LIMIT_IN_BYTES): Promise<BodyReading> {
  let bytes: Uint8Array;
  if (typeof body === 'string') {
    if (Buffer.byteLength(body, 'utf8') > limitInBytes) return { ok: false, problem: 'too-large' };
    return parsed(body);
  } else if (body instanceof Uint8Array) {
    bytes = body;
  } else if (isAsyncIterable(body)) {
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of body) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      length += buffer.length;
      if (length > limitInBytes) return { ok: false, problem: 'too-large' }; // leaving the loop ends the stream
      chunks.push(buffer);
    }
    bytes = Buffer.concat(chunks);
  } else {
    return { ok: true, value: body };
  }
  if (bytes.byteLength > limitInBytes) return { ok: false, problem: 'too-large' };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, problem: 'not-json' };
  }
  return parsed(text);
}

function parsed(text: string): BodyReading {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, problem: 'not-json' };
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array | string> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}
