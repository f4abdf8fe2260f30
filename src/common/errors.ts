/**
 * The base of every error this project throws on purpose.
 *
 * `code` is stable and is what callers and tests switch on; a retired code is never reused.
 * `publicMessage` is safe to send to a caller. `message` (the internal detail) is for logs only and must
 * still never hold a password, a token, a decrypted context or a key.
 *
 * @example
 *   throw new EntraMigrateError('JIT_CONTEXT_EXPIRED', 'The password context has expired.', { detail: 'exp 1700000000 < now 1700000700' });
 */
export class EntraMigrateError extends Error {
  readonly code: string;
  readonly publicMessage: string;

  constructor(code: string, publicMessage: string, options: { detail?: string; cause?: unknown } = {}) {
    super(options.detail ?? publicMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.publicMessage = publicMessage;
  }
}

/** True when `error` is one of ours and carries `code`. */
export function hasCode(error: unknown, code: string): boolean {
  return error instanceof EntraMigrateError && error.code === code;
}
