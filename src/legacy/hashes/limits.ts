import { overLimit } from './errors.js';

/**
 * Ceilings on cost parameters read from the legacy database. A hash above one is refused before any work: a
 * hostile or corrupted row must not turn one sign-in into minutes of CPU. Defaults sit well above what real systems
 * use (bcrypt 10–12, PBKDF2 ≤ 1.2 M, argon2 ≤ 64 MiB) and below what would stall a server.
 */
export interface HashLimits {
  /** bcrypt log2 rounds. Default 14 (about 1 s on one core). */
  bcryptCost: number;
  /** PBKDF2 iterations. Default 2,000,000. */
  pbkdf2Iterations: number;
  /** argon2 memory in KiB. Default 262,144 (256 MiB). */
  argon2MemoryKiB: number;
  argon2TimeCost: number;
  argon2Parallelism: number;
  /** scrypt cost N (2^20 = 1 GiB at r = 8), block size r and parallelism p. */
  scryptN: number;
  scryptR: number;
  scryptP: number;
  /** sha256-crypt / sha512-crypt rounds, phpass 2^n rounds. Default 1,000,000. */
  cryptRounds: number;
  /** Longest password checked, in UTF-8 bytes; longer ones never match. Default 1024. */
  passwordBytes: number;
}

export const DEFAULT_HASH_LIMITS: Readonly<HashLimits> = Object.freeze({
  bcryptCost: 14,
  pbkdf2Iterations: 2_000_000,
  argon2MemoryKiB: 262_144,
  argon2TimeCost: 10,
  argon2Parallelism: 16,
  scryptN: 2 ** 20,
  scryptR: 32,
  scryptP: 16,
  cryptRounds: 1_000_000,
  passwordBytes: 1024,
});

/** Throws HASH_PARAMS_OVER_LIMIT when `value` exceeds `ceiling`. */
export function requireWithin(format: string, parameter: string, value: number, ceiling: number): void {
  if (value > ceiling) throw overLimit(format, parameter, value, ceiling);
}
