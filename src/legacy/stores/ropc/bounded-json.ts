import type { Dispatcher } from 'undici';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';

/**
 * The largest answer read from the provider. A token response is a few KiB (three JWTs); an error answer less than
 * one. 64 KiB — the limit the issue sets for every network store — is ten times a large one.
 */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** An answer's body parsed as JSON, or `notJson` when it is not (an HTML error page, a truncated body). */
export type JsonBody = { readonly json: unknown } | { readonly notJson: true };

/**
 * Reads an answer's body up to `limitInBytes` and parses it as JSON. A body announced or found larger is destroyed
 * (its socket is not reused) and rejects with `LEGACY_ANSWER_INVALID`.
 *
 * @example
 *   const body = await readBoundedJson(response.body, response.headers, MAX_ANSWER_BYTES);
 */
export async function readBoundedJson(
  body: Dispatcher.ResponseData['body'],
  headers: Dispatcher.ResponseData['headers'],
  limitInBytes: number = MAX_ANSWER_BYTES,
): Promise<JsonBody> {
  const tooLarge = () =>
    new LegacyStoreError(LegacyStoreErrorCode.ANSWER_INVALID, `The OpenID provider's answer is larger than ${limitInBytes / 1024} KiB; check LEGACY_ROPC_TOKEN_URL.`);
  const announced = Number(headers['content-length']);
  if (Number.isFinite(announced) && announced > limitInBytes) {
    body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitInBytes) {
      body.destroy();
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  try {
    return { json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return { notJson: true };
  }
}
