import { createHash } from 'node:crypto';
import { HashError, HashErrorCode } from './errors.js';
import type { Candidate } from './format.js';

const DIGESTS = new Set(['md5', 'sha1', 'sha256', 'sha512']);
const ENCODINGS = new Set(['utf8', 'utf16le', 'latin1']);

/**
 * The password as the legacy system hashed it, from the options valid on every scheme:
 * `pepper` (appended, as Devise does), `pre` (digests applied first, in order, each as `{algorithm, encoding}` —
 * the "wrapped" upgrade `bcrypt(md5hex(password))`), and `passwordEncoding` (`utf8` default, `utf16le`, `latin1`).
 *
 * @example
 *   candidateOf('secret', { pre: [{ algorithm: 'md5', encoding: 'hex' }] }).text // '5ebe2294ecd0e0f08eab7690d2a6ee69'
 */
export function candidateOf(password: string, params: Readonly<Record<string, unknown>> | undefined): Candidate {
  const encoding = params?.passwordEncoding ?? 'utf8';
  if (typeof encoding !== 'string' || !ENCODINGS.has(encoding)) throw wrong('passwordEncoding must be utf8, utf16le or latin1');
  const encode = (text: string) => Buffer.from(text, encoding as BufferEncoding);

  let text = password;
  const pepper = params?.pepper;
  if (pepper !== undefined) {
    if (typeof pepper !== 'string') throw wrong('pepper must be text');
    text += pepper;
  }
  const pre = params?.pre;
  if (pre !== undefined) {
    if (!Array.isArray(pre) || pre.length > 8) throw wrong('pre must be a list of at most 8 {algorithm, encoding} steps');
    for (const step of pre as unknown[]) {
      const { algorithm, encoding: output = 'hex' } = (step ?? {}) as { algorithm?: unknown; encoding?: unknown };
      if (typeof algorithm !== 'string' || !DIGESTS.has(algorithm)) throw wrong('each pre step needs algorithm md5, sha1, sha256 or sha512');
      if (output !== 'hex' && output !== 'base64') throw wrong('each pre step encodes hex or base64');
      text = createHash(algorithm).update(encode(text)).digest(output);
    }
  }
  return { text, bytes: encode(text) };
}

function wrong(problem: string): HashError {
  return new HashError(HashErrorCode.HASH_SCHEME_UNKNOWN, `The hash params are wrong: ${problem}.`);
}
