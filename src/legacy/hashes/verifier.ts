import { verify as bcryptVerify } from '@node-rs/bcrypt';
import { createAdmission } from './admission.js';
import { candidateOf } from './candidate.js';
import { HashError, HashErrorCode } from './errors.js';
import type { HashFormat, HashIdentity, PrepareContext, StoredHash } from './format.js';
import { DEFAULT_FORMATS } from './formats/index.js';
import { DEFAULT_HASH_LIMITS, type HashLimits } from './limits.js';
import { createHashRegistry } from './registry.js';
import { createWorkerPool } from './worker-pool.js';

export interface PasswordVerifierOptions {
  limits?: Partial<HashLimits>;
  /** Worker threads for JavaScript-computed formats; default the machine's cores. */
  workerThreads?: number;
  /** Checks waiting beyond which verify() refuses with HASH_VERIFIER_BUSY. Default 256. */
  maxQueue?: number;
  /**
   * Checks running at once. Default: libuv's thread pool size (UV_THREADPOOL_SIZE, 4 unless set) minus one, so RSA
   * decryption and token verification always find a free thread.
   */
  concurrency?: number;
  /** The formats to know; default every built-in one. */
  formats?: readonly HashFormat[];
}

export interface PasswordVerifier {
  /**
   * True when `password` matches the stored hash. Throws HashError when the hash cannot be checked; rejects with
   * the signal's reason when it aborts before the check started.
   */
  verify(password: string, stored: StoredHash, options?: { abortSignal?: AbortSignal }): Promise<boolean>;
  /** The format and parameters of a self-describing hash, null when none matches; HASH_MALFORMED when it is broken. */
  identify(hash: string): HashIdentity | null;
  /** One check of realistic cost (bcrypt, cost 10) whose result is thrown away: for unknown users. */
  dummyVerify(options?: { abortSignal?: AbortSignal }): Promise<void>;
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
  const context: PrepareContext = {
    limits,
    nested: (hash) => registry.formatFor({ hash }).prepare({ hash }, context),
  };
  const threadPoolSize = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  const admission = createAdmission({
    concurrency: options.concurrency ?? Math.max(1, threadPoolSize - 1),
    maxQueue: options.maxQueue ?? 256,
  });
  let closed = false;
  const requireOpen = () => {
    if (closed) throw new HashError(HashErrorCode.HASH_VERIFIER_CLOSED, 'The password verifier is closed.');
  };

  return {
    async verify(password, stored, callOptions = {}) {
      requireOpen();
      const prepared = registry.formatFor(stored).prepare(stored, context);
      // Longer passwords cannot be legacy passwords worth checking, and would only cost time.
      if (Buffer.byteLength(password, 'utf8') > limits.passwordBytes) return false;
      const candidate = candidateOf(password, stored.params);
      return admission.run(() => prepared.verify(candidate, runInWorker), callOptions.abortSignal);
    },
    identify(hash) {
      const format = registry.recognise(hash);
      if (!format) return null;
      return { format: format.id, params: format.prepare({ hash }, context).params };
    },
    async dummyVerify(callOptions = {}) {
      requireOpen();
      await admission.run(() => bcryptVerify('entra-migrate dummy check', DUMMY_HASH), callOptions.abortSignal);
    },
    async close() {
      closed = true;
      await pool.close();
    },
  };
}
