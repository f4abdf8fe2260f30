import { verify as bcryptVerify } from '@node-rs/bcrypt';
import { HashError, HashErrorCode } from './errors.js';
import type { HashFormat, HashIdentity, StoredHash } from './format.js';
import { DEFAULT_FORMATS } from './formats/index.js';
import { DEFAULT_HASH_LIMITS, type HashLimits } from './limits.js';
import { createHashRegistry } from './registry.js';
import { createWorkerPool } from './worker-pool.js';

export interface PasswordVerifierOptions {
  limits?: Partial<HashLimits>;
  /** Worker threads for JavaScript-computed formats; default the machine's cores. */
  workerThreads?: number;
  /** Checks waiting for a worker beyond which verify() refuses with HASH_VERIFIER_BUSY. Default 256. */
  maxQueue?: number;
  /** The formats to know; default every built-in one. */
  formats?: readonly HashFormat[];
}

export interface PasswordVerifier {
  /** True when `password` matches the stored hash. Throws HashError when the hash cannot be checked. */
  verify(password: string, stored: StoredHash): Promise<boolean>;
  /** The format and parameters of a self-describing hash, null when none matches; HASH_MALFORMED when it is broken. */
  identify(hash: string): HashIdentity | null;
  /** One check of realistic cost (bcrypt, cost 10) whose result is thrown away: for unknown users. */
  dummyVerify(): Promise<void>;
  close(): Promise<void>;
}

/** A bcrypt cost-10 hash of a random string nobody knows; what an unknown user is "checked" against. */
const DUMMY_HASH = '$2y$10$/eIzqCfdF6YYGbHPqonopuWxuaudSTsIiHAGYRyCTrTakUVrA0DYe';

/**
 * The password checker the extension uses. Formats are data (see formats/); the verifier only finds the format,
 * lets it check its parameters against the limits, and runs the check off the event loop.
 *
 * @example
 *   const verifier = createPasswordVerifier();
 *   await verifier.verify(password, { hash: '$2y$10$…' }); // true | false
 */
export function createPasswordVerifier(options: PasswordVerifierOptions = {}): PasswordVerifier {
  const limits: HashLimits = { ...DEFAULT_HASH_LIMITS, ...options.limits };
  const registry = createHashRegistry(options.formats ?? DEFAULT_FORMATS);
  const pool = createWorkerPool({
    ...(options.workerThreads !== undefined && { threads: options.workerThreads }),
    ...(options.maxQueue !== undefined && { maxQueue: options.maxQueue }),
  });
  const runInWorker = pool.run;
  let closed = false;
  const requireOpen = () => {
    if (closed) throw new HashError(HashErrorCode.HASH_VERIFIER_CLOSED, 'The password verifier is closed.');
  };

  return {
    async verify(password, stored) {
      requireOpen();
      const prepared = registry.formatFor(stored).prepare(stored, limits);
      // Longer passwords cannot be legacy passwords worth checking, and would only cost time.
      if (Buffer.byteLength(password, 'utf8') > limits.passwordBytes) return false;
      return prepared.verify(password, runInWorker);
    },
    identify(hash) {
      const format = registry.recognise(hash);
      if (!format) return null;
      return { format: format.id, params: format.prepare({ hash }, limits).params };
    },
    async dummyVerify() {
      requireOpen();
      await bcryptVerify('entra-migrate dummy check', DUMMY_HASH);
    },
    async close() {
      closed = true;
      await pool.close();
    },
  };
}
