import type { Clock } from '../common/clock.js';
import type { AttemptStore, AttemptTaken, TakeOptions } from './attempt-store.js';

/**
 * Most accounts counted at once, each about 150 bytes (a 43-character key and its count): 15 MB at most. Entra
 * calls an extension at most 50 times a second per tenant, so a 900 s window holds at most 45,000 counted names;
 * twice that leaves room for a longer window before the oldest count is dropped to make room (which would give that
 * name its attempts back early).
 */
const DEFAULT_MAX_ACCOUNTS = 100_000;

interface Count {
  failures: number;
  endsAt: number;
}

/**
 * Attempt counts in this process's memory: the default, and the fallback of the Redis store while Redis cannot be
 * reached. Single-threaded, so each `take` is atomic by construction. Counts are kept in a Map in the order their
 * windows started, which (all windows having one length) is the order they end: expired ones are dropped from the
 * front as new ones come, so memory follows the live counts and never a past burst.
 *
 * @example
 *   const store = createMemoryAttemptStore({ clock: Date.now });
 *   const taken = await store.take(key, { limit: 10, windowInMs: 900_000, answerBy: Date.now() + 1000 });
 */
export function createMemoryAttemptStore(options: { clock: Clock; maxAccounts?: number }): AttemptStore {
  const { clock } = options;
  const maxAccounts = options.maxAccounts ?? DEFAULT_MAX_ACCOUNTS;
  const counts = new Map<string, Count>();

  const dropExpired = (now: number) => {
    for (const [key, count] of counts) {
      if (count.endsAt > now) break;
      counts.delete(key);
    }
  };

  return {
    take(key: string, { limit, windowInMs }: TakeOptions): Promise<AttemptTaken> {
      const now = clock();
      dropExpired(now);
      let count = counts.get(key);
      if (count !== undefined && count.failures >= limit) return Promise.resolve(settled(false, count.failures));
      if (count === undefined) {
        if (counts.size >= maxAccounts) counts.delete(counts.keys().next().value!);
        count = { failures: 0, endsAt: now + windowInMs };
        counts.set(key, count);
      }
      count.failures += 1;
      const taken = count;
      return Promise.resolve({
        allowed: true,
        failures: taken.failures,
        clear: () => {
          if (counts.get(key) === taken) counts.delete(key);
          return Promise.resolve();
        },
        giveBack: () => {
          if (counts.get(key) === taken && taken.failures > 0) taken.failures -= 1;
          return Promise.resolve();
        },
      });
    },
    close: () => {
      counts.clear();
      return Promise.resolve();
    },
  };
}

const NOTHING = () => Promise.resolve();

/** An attempt refused, or one whose settling does nothing. */
export function settled(allowed: boolean, failures: number): AttemptTaken {
  return { allowed, failures, clear: NOTHING, giveBack: NOTHING };
}
