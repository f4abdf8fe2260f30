import type { HashLimits } from './limits.js';

/** A stored credential as the legacy store hands it over. */
export interface StoredHash {
  hash: string;
  /** A scheme named by the store's row, for formats that cannot be told from the string. */
  scheme?: string;
  /** The store-wide scheme (LEGACY_HASH_SCHEME): used only when the row names none and the hash has no known shape. */
  defaultScheme?: string;
  /** Scheme parameters (a separate salt column, an algorithm name …). */
  params?: Readonly<Record<string, unknown>>;
}

/** What identify() reports: the format and its parameters, never the digest. */
export interface HashIdentity {
  format: string;
  params: Record<string, unknown>;
}

/** Work that must leave the event loop; run by the verifier's worker pool (see compute/tasks.ts). */
export type RunInWorker = (task: import('./compute/tasks.js').ComputeTask) => Promise<boolean>;

/**
 * The password as a format checks it: `text` after the composed steps (pepper, pre-hashes), `bytes` that text in
 * the configured encoding (UTF-8 unless `passwordEncoding` says otherwise). Formats that hash bytes use `bytes`;
 * the few that define their own encoding (UTF-16LE for SQL Server and ASP.NET) use `text`.
 */
export interface Candidate {
  text: string;
  bytes: Buffer;
}

/** A hash parsed and checked against the limits, ready to verify a password. */
export interface PreparedHash {
  params: Record<string, unknown>;
  /**
   * A marker of an account with no usable password (`disabled`): the verifier answers false at the cost of its
   * current stand-in, as for an unknown user, and does not count it as a kind of hash the store holds.
   */
  neverMatches?: true;
  /** Resolves true on a match. Never blocks the event loop: native async, async crypto, or the worker pool. */
  verify(password: Candidate, runInWorker: RunInWorker): Promise<boolean>;
}

/** What `prepare` may use: the limits, and the registry for formats that wrap another (`{CRYPT}`, `{bcrypt}`). */
export interface PrepareContext {
  limits: HashLimits;
  /** Prepares an inner hash as a self-describing one (found by shape). */
  nested(hash: string): PreparedHash;
}

/**
 * One password-hash format: how to recognise it and how to verify against it. Adding a format is adding one of
 * these to the registry; the request path never changes.
 */
export interface HashFormat {
  /** Stable id, also the `scheme` a store may name (`bcrypt`, `argon2`, `django-pbkdf2`, `digest` …). */
  readonly id: string;
  /** Where it comes from, for docs and `hash identify`. */
  readonly origin: string;
  /** Cheap shape test on the string alone; false for configured schemes, which must be named. */
  matches(hash: string): boolean;
  /** Parses, validates and checks limits; throws HashError (HASH_MALFORMED, HASH_PARAMS_OVER_LIMIT, HASH_SCHEME_UNKNOWN). */
  prepare(stored: StoredHash, context: PrepareContext): PreparedHash;
}
