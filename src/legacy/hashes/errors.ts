import { EntraMigrateError } from '../../common/errors.js';

/** Stable codes for hash problems. Each message names the format recognised and what is wrong; never the password. */
export const HashErrorCode = {
  /** No known format matches the stored hash, and no scheme was named. */
  HASH_FORMAT_UNSUPPORTED: 'HASH_FORMAT_UNSUPPORTED',
  /** The hash has a known format's prefix but not its structure (bad length, bad characters, missing fields). */
  HASH_MALFORMED: 'HASH_MALFORMED',
  /** A cost parameter read from the database exceeds its ceiling: refused before any work. */
  HASH_PARAMS_OVER_LIMIT: 'HASH_PARAMS_OVER_LIMIT',
  /** The store named a scheme we do not know, or gave it wrong parameters. */
  HASH_SCHEME_UNKNOWN: 'HASH_SCHEME_UNKNOWN',
  /** The verification queue is full: the server is overloaded. */
  HASH_VERIFIER_BUSY: 'HASH_VERIFIER_BUSY',
  /** The verifier was closed. */
  HASH_VERIFIER_CLOSED: 'HASH_VERIFIER_CLOSED',
} as const;

export type HashErrorCode = (typeof HashErrorCode)[keyof typeof HashErrorCode];

export class HashError extends EntraMigrateError {
  declare readonly code: HashErrorCode;

  constructor(code: HashErrorCode, publicMessage: string, options: { detail?: string; cause?: unknown } = {}) {
    super(code, publicMessage, options);
  }
}

/**
 * What an unrecognised stored value looks like, without quoting it: a legacy table may hold plaintext passwords in
 * its hash column, so no character of the value itself appears — only a recognisable `$id$` or `{ID}` prefix, its
 * length and its alphabet.
 *
 * @example
 *   describeShape('5f4dcc3b5aa765d61d8327deb882cf99') // 'a 32-character hex string'
 *   describeShape('$9$abc…')                          // 'a 40-character string starting $9$'
 */
export function describeShape(hash: string): string {
  const marker = /^(\$[a-z0-9-]{1,16}\$|\{[A-Za-z0-9-]{1,24}\})/i.exec(hash)?.[1];
  if (marker) return `a ${hash.length}-character string starting ${marker}`;
  const alphabet = /^[0-9a-f]+$/i.test(hash) ? 'hex ' : /^[A-Za-z0-9+/]+=*$/.test(hash) ? 'base64-like ' : '';
  return `a ${hash.length}-character ${alphabet}string`;
}

export function malformed(format: string, problem: string): HashError {
  return new HashError(HashErrorCode.HASH_MALFORMED, `The stored ${format} hash is malformed: ${problem}.`);
}

export function overLimit(format: string, parameter: string, value: number, ceiling: number): HashError {
  return new HashError(
    HashErrorCode.HASH_PARAMS_OVER_LIMIT,
    `The stored ${format} hash asks for ${parameter} ${value}, above the ceiling of ${ceiling}; raise the limit only if the legacy system really used it.`,
  );
}
