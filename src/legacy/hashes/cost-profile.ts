import type { StoredHash } from './format.js';

/**
 * What a real password check of this store costs, learned from the hashes it verifies, so that "no such user"
 * costs the same (DESIGN.md, "Rules of the house"; issue 9 §10: response time must not tell which accounts exist).
 *
 * Hashes are counted by kind — the format and its cost parameters (`bcrypt {cost: 12}`, `argon2 {m, t, p}`) — and
 * the most recent hash of each kind is kept as that kind's stand-in: an unknown user's password is checked against
 * the stand-in of the most common kind, through the same format code with the same parameters, so the dummy check
 * costs exactly what a real one does, for every format (configured schemes, pre-hashes and peppers included). Its
 * result is thrown away; the stand-in never leaves memory.
 *
 * Memory is bounded: at most `maxKinds` kinds are counted (the Space-Saving algorithm: a new kind takes the place
 * of the least counted one and inherits its count, so the most common kind is never lost however many rare ones a
 * table holds).
 */
export interface CostProfile {
  /** Counts one verified hash of kind (`format`, `params`) and keeps it as the kind's stand-in. */
  record(format: string, params: Readonly<Record<string, unknown>>, stored: StoredHash): void;
  /** The stand-in of the most common kind so far, undefined before any hash was recorded. */
  dominant(): StoredHash | undefined;
}

/**
 * Parameters that vary per row without changing the cost (DES crypt's two-character salt, PostgreSQL md5's role
 * name): left out of the kind, or every row would be a kind of its own.
 */
const PER_ROW_PARAMS = new Set(['salt', 'username']);

/** Default number of kinds counted: real tables hold one to three (a format and its upgrades). */
const DEFAULT_MAX_KINDS = 16;

/**
 * @example
 *   const profile = createCostProfile();
 *   profile.record('argon2', { memoryKiB: 19456, timeCost: 2, parallelism: 1 }, { hash: '$argon2id$…' });
 *   profile.dominant(); // { hash: '$argon2id$…' }
 */
export function createCostProfile(options: { maxKinds?: number } = {}): CostProfile {
  const maxKinds = options.maxKinds ?? DEFAULT_MAX_KINDS;
  const kinds = new Map<string, { count: number; stored: StoredHash }>();

  return {
    record(format, params, stored) {
      const kind = kindOf(format, params);
      const known = kinds.get(kind);
      if (known) {
        known.count++;
        known.stored = stored;
        return;
      }
      let count = 1;
      if (kinds.size >= maxKinds) {
        const [leastKind, least] = [...kinds].reduce((min, entry) => (entry[1].count < min[1].count ? entry : min));
        kinds.delete(leastKind);
        count = least.count + 1;
      }
      kinds.set(kind, { count, stored });
    },
    dominant() {
      let best: { count: number; stored: StoredHash } | undefined;
      for (const entry of kinds.values()) if (!best || entry.count > best.count) best = entry;
      return best?.stored;
    },
  };
}

/**
 * A kind's name: the format and its cost parameters, per-row ones left out.
 *
 * @example
 *   kindOf('bcrypt', { variant: '2b', cost: 12 }) // 'bcrypt {"cost":12,"variant":"2b"}'
 */
export function kindOf(format: string, params: Readonly<Record<string, unknown>>): string {
  const costParams = Object.keys(params)
    .filter((name) => !PER_ROW_PARAMS.has(name))
    .sort()
    .map((name) => [name, params[name]]);
  return `${format} ${JSON.stringify(Object.fromEntries(costParams))}`;
}
