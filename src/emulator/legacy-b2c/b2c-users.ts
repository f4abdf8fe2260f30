import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { hash as bcryptHash, verify as bcryptVerify } from '@node-rs/bcrypt';
import { EmulatorError, EmulatorErrorCode } from '../errors.js';

/** One local account of the legacy B2C tenant, as a test or the demo seeds it. */
export interface LegacyB2cUserSeed {
  /** The names the user signs in with (B2C local account identities: an e-mail or a user name); matched case-blind. */
  signInNames: readonly string[];
  /** The password in clear; kept as a bcrypt hash. Give this or `passwordHash`. */
  password?: string;
  /** A stored hash: bcrypt (`$2a$`, `$2b$`, `$2y$`) or `sha256:<64 hex digits>` (unsalted, as old systems kept them). */
  passwordHash?: string;
  /** The user's object id (the id token's `oid`). Default: a new GUID. */
  objectId?: string;
  displayName?: string;
  /** `false`: B2C refuses the account with AADB2C90111, whatever is typed. Default true. */
  accountEnabled?: boolean;
  /** `true`: locked as if by smart lockout (AADB2C90114), whatever is typed. Default false. */
  locked?: boolean;
}

/** A user of the legacy B2C tenant. The password hash stays inside {@link LegacyB2cUsers}. */
export interface LegacyB2cUser {
  readonly objectId: string;
  readonly signInNames: readonly string[];
  readonly displayName: string | null;
  readonly accountEnabled: boolean;
}

/** Smart lockout as B2C configures it by default (https://learn.microsoft.com/en-us/azure/active-directory-b2c/threat-management). */
export interface LegacyB2cLockout {
  /** Wrong passwords in a row that lock the account. B2C's default: 10. */
  threshold: number;
  /** How long the lock lasts, in ms. B2C's default: 60 s. */
  durationInMs: number;
}

export const DEFAULT_B2C_LOCKOUT: LegacyB2cLockout = { threshold: 10, durationInMs: 60_000 };

/** What the tenant's user list says about one sign-in. */
export type B2cPasswordCheck =
  | { result: 'no-such-user' }
  | { result: 'disabled' | 'locked' | 'wrong'; user: LegacyB2cUser }
  | { result: 'correct'; user: LegacyB2cUser };

/** The emulator's cost for hashing seeded clear passwords: bcrypt's minimum, since nothing here guards real users. */
const SEED_BCRYPT_COST = 4;
const SHA256_HASH = /^sha256:([0-9a-f]{64})$/i;
const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

interface StoredUser {
  user: LegacyB2cUser;
  passwordHash: string;
  locked: boolean;
  failures: number;
  lockedUntil: number;
}

/**
 * The legacy B2C tenant's local accounts, in memory (not kept across restarts: tests and the demo seed them at each
 * start). Checks a password the way B2C answers an ROPC request: unknown user, disabled, locked (flagged, or by smart
 * lockout after `lockout.threshold` wrong passwords in a row), wrong or correct.
 *
 * @example
 *   const users = new LegacyB2cUsers({ now: Date.now });
 *   await users.add({ signInNames: ['ada@example.com'], password: 'Ada-Lovelace-1815!' });
 *   await users.check('ADA@example.com', 'Ada-Lovelace-1815!') // { result: 'correct', user }
 */
export class LegacyB2cUsers {
  private readonly byName = new Map<string, StoredUser>();
  private readonly now: () => number;
  private readonly lockout: LegacyB2cLockout;

  constructor(options: { now: () => number; lockout?: LegacyB2cLockout }) {
    this.now = options.now;
    this.lockout = options.lockout ?? DEFAULT_B2C_LOCKOUT;
  }

  /** Adds a user; rejects a sign-in name already taken, a missing or unusable password hash. */
  async add(seed: LegacyB2cUserSeed): Promise<LegacyB2cUser> {
    const names = seed.signInNames.map((name) => name.trim().toLowerCase()).filter(Boolean);
    if (names.length === 0) throw new EmulatorError(EmulatorErrorCode.DIRECTORY_INVALID, 'A legacy B2C user needs at least one sign-in name.');
    const taken = names.find((name) => this.byName.has(name));
    if (taken !== undefined) throw new EmulatorError(EmulatorErrorCode.DIRECTORY_CONFLICT, `The sign-in name ${taken} is already taken in the legacy B2C tenant.`);
    const passwordHash = await storedHash(seed);
    const user: LegacyB2cUser = Object.freeze({
      objectId: seed.objectId ?? randomUUID(),
      signInNames: Object.freeze([...seed.signInNames]),
      displayName: seed.displayName ?? null,
      accountEnabled: seed.accountEnabled ?? true,
    });
    const stored: StoredUser = { user, passwordHash, locked: seed.locked ?? false, failures: 0, lockedUntil: 0 };
    for (const name of names) this.byName.set(name, stored);
    return user;
  }

  /** Every user once, in the order added. */
  list(): LegacyB2cUser[] {
    return [...new Set(this.byName.values())].map((stored) => stored.user);
  }

  /** Checks one sign-in; counts wrong passwords toward smart lockout and clears the count on a correct one. */
  async check(signInName: string, password: string): Promise<B2cPasswordCheck> {
    const stored = this.byName.get(signInName.trim().toLowerCase());
    if (!stored) return { result: 'no-such-user' };
    const { user } = stored;
    if (!user.accountEnabled) return { result: 'disabled', user };
    if (stored.locked || stored.lockedUntil > this.now()) return { result: 'locked', user };
    if (!(await matches(password, stored.passwordHash))) {
      stored.failures += 1;
      if (stored.failures >= this.lockout.threshold) {
        stored.failures = 0;
        stored.lockedUntil = this.now() + this.lockout.durationInMs;
      }
      return { result: 'wrong', user };
    }
    stored.failures = 0;
    return { result: 'correct', user };
  }
}

async function storedHash(seed: LegacyB2cUserSeed): Promise<string> {
  if (seed.passwordHash !== undefined) {
    if (BCRYPT_HASH.test(seed.passwordHash) || SHA256_HASH.test(seed.passwordHash)) return seed.passwordHash;
    throw new EmulatorError(EmulatorErrorCode.DIRECTORY_INVALID, 'A legacy B2C user passwordHash must be bcrypt ($2a$, $2b$, $2y$) or sha256:<64 hex digits>.');
  }
  if (seed.password === undefined || seed.password.length === 0) {
    throw new EmulatorError(EmulatorErrorCode.DIRECTORY_INVALID, 'A legacy B2C user needs a password or a passwordHash.');
  }
  return bcryptHash(seed.password, SEED_BCRYPT_COST);
}

async function matches(password: string, passwordHash: string): Promise<boolean> {
  const sha256 = SHA256_HASH.exec(passwordHash);
  if (sha256) {
    const typed = createHash('sha256').update(password, 'utf8').digest();
    return timingSafeEqual(typed, Buffer.from(sha256[1]!, 'hex'));
  }
  return bcryptVerify(password, passwordHash);
}
