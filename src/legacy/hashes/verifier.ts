import threadPool from '../../common/thread-pool-size.cjs';
import { createAdmission, type AdmissionLoad, type AdmissionRejection } from './admission.js';
import { candidateOf } from './candidate.js';
import { createCostProfile, kindOf } from './cost-profile.js';
import { HashError, HashErrorCode } from './errors.js';
import type { Candidate, HashFormat, HashIdentity, PreparedHash, PrepareContext, StoredHash } from './format.js';
import { DEFAULT_FORMATS } from './formats/index.js';
import { DEFAULT_HASH_LIMITS, type HashLimits } from './limits.js';
import { createHashRegistry } from './registry.js';
import { BCRYPT_STAND_IN, OVER_LIMIT_PASSWORD_STAND_IN, standInForScheme } from './stand-in.js';
import { createWorkerPool } from './worker-pool.js';

export interface PasswordVerifierOptions {
  limits?: Partial<HashLimits>;
  /** Worker threads for JavaScript-computed formats; default the cores this process may use (common/thread-pool-size.cts). */
  workerThreads?: number;
  /** Checks waiting beyond which verify() refuses with HASH_VERIFIER_BUSY. Default 256. */
  maxQueue?: number;
  /**
   * Checks running at once. Default: one per core this process may use (its CPUs, capped by a cgroup quota) and at
   * most libuv's thread pool size minus one, so RSA decryption and token verification always find a free thread.
   * Hashing is CPU-bound: a check beyond one per core adds no throughput, only takes a pool thread and CPU time from
   * the decryptions that must finish before the deadline. The launcher sizes the pool max(4, cores + 2)
   * (common/thread-pool-size.cts), so this is one check per core with two threads spare; a UV_THREADPOOL_SIZE set by
   * the user is read here as libuv read it (on 2 cores: 2 checks; 16 cores: 16, on a pool of 18).
   */
  concurrency?: number;
  /** The formats to know; default every built-in one. */
  formats?: readonly HashFormat[];
  /**
   * The store-wide scheme (LEGACY_HASH_SCHEME, LEGACY_HASH_PARAMS): what an unknown user's check costs until the
   * first real hash was verified. Without it, bcrypt cost 10.
   */
  hashDefaults?: { scheme: string | undefined; params: Readonly<Record<string, unknown>> };
  /** Told of each hash computed and each check turned away, for metrics. Without it nothing is timed. */
  observer?: HashCheckObserver;
}

/**
 * What the verifier reports as it works (`serve` passes its metrics). Both are called on the caller's path: they must
 * be cheap and must not throw.
 */
export interface HashCheckObserver {
  /**
   * One hash computed: `seconds` from the moment it was given a slot at the gate to its result (the wait for the
   * slot is not in it), and the id of the catalogue format computed (`bcrypt`, `argon2`, `pbkdf2` …: a fixed set, see
   * formats/). Stand-in checks (unknown users, disabled or uncheckable rows) are reported with the stand-in's format.
   * A computation that threw is reported too.
   */
  hashComputed(seconds: number, format: string): void;
  /** One check turned away before it started: `busy` (HASH_VERIFIER_BUSY, the queue was full) or `expired` (its signal aborted first). */
  checkRejected(reason: AdmissionRejection): void;
}

export interface PasswordVerifier {
  /**
   * True when `password` matches the stored hash. Throws HashError when the hash cannot be checked; rejects with
   * the signal's reason when it aborts before the check started. Every outcome costs what a check of this store
   * costs: a password over the byte limit is checked as a fixed stand-in (and never matches), and a hash that
   * cannot be checked pays a dummy check before its error.
   */
  verify(password: string, stored: StoredHash, options?: { abortSignal?: AbortSignal }): Promise<boolean>;
  /** The format and parameters of a self-describing hash, null when none matches; HASH_MALFORMED when it is broken. */
  identify(hash: string): HashIdentity | null;
  /**
   * Checks `password` against a stand-in of the store's most common kind of hash (learned from the hashes verify()
   * saw; before any, the store-wide scheme or bcrypt cost 10) and throws the result away: for unknown users, so
   * that they cost what real ones do.
   */
  dummyVerify(password: string, options?: { abortSignal?: AbortSignal }): Promise<void>;
  /** The kind of hash dummyVerify checks against now (`bcrypt {"cost":10,"variant":"2y"}`), for logs and tests. */
  dummyKind(): string;
  /** Checks running at the gate and waiting for a slot now (read at each metrics scrape). */
  load(): AdmissionLoad;
  close(): Promise<void>;
}

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
  const cores = threadPool.usableCores();
  const pool = createWorkerPool({
    threads: options.workerThreads ?? cores,
    ...(options.maxQueue !== undefined && { maxQueue: options.maxQueue }),
  });
  const runInWorker = pool.run;
  const context: PrepareContext = {
    limits,
    nested: (hash) => registry.formatFor({ hash }).prepare({ hash }, context),
  };
  const observer = options.observer;
  const admission = createAdmission({
    concurrency: options.concurrency ?? threadPool.hashingLanes(threadPool.threadPoolSizeInEffect(), cores),
    maxQueue: options.maxQueue ?? 256,
    ...(observer && { onRejected: (reason: AdmissionRejection) => observer.checkRejected(reason) }),
  });
  /**
   * Runs one prepared check through the gate, timed from its start when there is an observer (and only then: without
   * one, no clock is read).
   */
  const check = (formatId: string, prepared: PreparedHash, candidate: Candidate, abortSignal: AbortSignal | undefined): Promise<boolean> => {
    if (!observer) return admission.run(() => prepared.verify(candidate, runInWorker), abortSignal);
    return admission.run(async () => {
      const startedAt = performance.now();
      try {
        return await prepared.verify(candidate, runInWorker);
      } finally {
        observer.hashComputed((performance.now() - startedAt) / 1000, formatId);
      }
    }, abortSignal);
  };
  let closed = false;
  const requireOpen = () => {
    if (closed) throw new HashError(HashErrorCode.HASH_VERIFIER_CLOSED, 'The password verifier is closed.');
  };

  const prepare = (stored: StoredHash) => {
    const format = registry.formatFor(stored);
    return { format, prepared: format.prepare(stored, context) };
  };
  const profile = createCostProfile();
  const { scheme: defaultScheme, params: defaultParams = {} } = options.hashDefaults ?? {};
  const initialStandIn = (defaultScheme && standInForScheme(defaultScheme, defaultParams, (stored) => prepare(stored).prepared)) || BCRYPT_STAND_IN;
  const standIn = () => profile.dominant() ?? initialStandIn;

  const overLimit = (password: string) => Buffer.byteLength(password, 'utf8') > limits.passwordBytes;
  /** The password as the stored hash's scheme takes it; an over-long one is replaced by the fixed stand-in. */
  const candidateFor = (password: string, stored: StoredHash) => candidateOf(overLimit(password) ? OVER_LIMIT_PASSWORD_STAND_IN : password, stored.params);
  const dummyVerify = async (password: string, abortSignal: AbortSignal | undefined) => {
    const stored = standIn();
    const { format, prepared } = prepare(stored);
    const candidate = candidateFor(password, stored);
    await check(format.id, prepared, candidate, abortSignal);
  };

  return {
    async verify(password, stored, callOptions = {}) {
      requireOpen();
      let format: HashFormat;
      let prepared: PreparedHash;
      let candidate: Candidate;
      try {
        ({ format, prepared } = prepare(stored));
        candidate = candidateFor(password, stored);
      } catch (error) {
        // A hash that cannot be checked answers no sooner than one that can.
        await dummyVerify(password, callOptions.abortSignal).catch(() => undefined);
        throw error;
      }
      if (prepared.neverMatches) {
        // A disabled account costs what an unknown user's check costs, and teaches the profile nothing.
        await dummyVerify(password, callOptions.abortSignal);
        return false;
      }
      profile.record(format.id, prepared.params, stored);
      const matches = await check(format.id, prepared, candidate, callOptions.abortSignal);
      // Longer passwords cannot be legacy passwords worth checking: they cost a check and never match.
      return matches && !overLimit(password);
    },
    identify(hash) {
      const format = registry.recognise(hash);
      if (!format) return null;
      return { format: format.id, params: format.prepare({ hash }, context).params };
    },
    async dummyVerify(password, callOptions = {}) {
      requireOpen();
      await dummyVerify(password, callOptions.abortSignal);
    },
    dummyKind() {
      const { format, prepared } = prepare(standIn());
      return kindOf(format.id, prepared.params);
    },
    load: () => admission.load(),
    async close() {
      closed = true;
      await pool.close();
    },
  };
}
