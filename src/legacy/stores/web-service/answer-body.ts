import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';

/** What an answer reader sees of the service's HTTP answer. */
export interface ServiceAnswer {
  readonly statusCode: number;
  /**
   * The body as UTF-8 text. Rejects with `LEGACY_ANSWER_INVALID` once it passes the byte limit (reading stops there
   * and the connection is dropped) or when it is not UTF-8; rejects with the call's abort reason when the call ends.
   * Call it at most once.
   */
  text(): Promise<string>;
  /**
   * Lets the body go without waiting for it: it is drained in the background so the connection can carry the next
   * check, and dropped instead if it passes the byte limit or is still arriving when `drainForInMs` has passed.
   */
  discard(): void;
}

/** The parts of undici's response body this module uses. */
export interface AnswerBodyStream extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): void;
  dump(options: { limit: number; signal?: AbortSignal }): Promise<unknown>;
}

/**
 * Wraps an HTTP answer so the body is read at most `maxBytes` deep: a declared `content-length` over the limit
 * is refused before a byte is read, and a streamed body is cut at the first chunk beyond it, so a 10 MB answer costs
 * 64 KiB of memory, not 10 MB.
 *
 * @example
 *   const answer = serviceAnswer(response.statusCode, response.headers['content-length'], response.body, { maxBytes: 65536, drainForInMs: 500 });
 */
export function serviceAnswer(
  statusCode: number,
  contentLength: string | string[] | undefined,
  body: AnswerBodyStream,
  limits: { maxBytes: number; drainForInMs: number },
): ServiceAnswer {
  const tooLarge = (): LegacyStoreError => {
    body.destroy();
    return new LegacyStoreError(
      LegacyStoreErrorCode.ANSWER_INVALID,
      `The legacy web service answered more than ${limits.maxBytes / 1024} KiB; a verdict is a small JSON object.`,
    );
  };
  return {
    statusCode,
    async text() {
      const declared = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
      if (declared > limits.maxBytes) throw tooLarge();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body) {
        size += chunk.byteLength;
        if (size > limits.maxBytes) throw tooLarge();
        chunks.push(chunk);
      }
      try {
        return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
      } catch {
        throw new LegacyStoreError(LegacyStoreErrorCode.ANSWER_INVALID, 'The legacy web service answered a body that is not UTF-8 text.');
      }
    },
    discard() {
      // undici's dump reads up to `limit` bytes and destroys the body beyond it (and at once when content-length says so).
      body.dump({ limit: limits.maxBytes, signal: AbortSignal.timeout(Math.max(1, limits.drainForInMs)) }).catch(() => undefined);
    },
  };
}
