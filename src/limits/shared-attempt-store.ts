import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { AttemptStore, AttemptTaken, TakeOptions } from './attempt-store.js';
import { errorCodeOf, type RedisAttemptStore } from './redis-attempt-store.js';

/**
 * After a Redis call failed or was too slow, how long the next ones go straight to memory, in ms: a Redis that is
 * paused or swapping would otherwise cost every sign-in the full time limit; 1 s later one call tries it again.
 */
const RETRY_AFTER_IN_MS = 1000;

export interface SharedAttemptStoreOptions {
  /** The store every replica shares. */
  shared: RedisAttemptStore;
  /** This replica's own counts, used while the shared one cannot answer. */
  local: AttemptStore;
  /** Longest wait for one Redis call, in ms (RATE_LIMIT_REDIS_TIMEOUT_MS); the answer's own deadline may cut it shorter. */
  timeoutInMs: number;
  clock: Clock;
  logger: Logger;
}

/**
 * Counts in the shared store, and in this replica's memory whenever the shared one is down, slow or refusing: a Redis
 * outage makes the limit per replica for its duration, never a failed sign-in. One warning line when an outage
 * starts (from the first failed call, or the client's own connection error) and one line when a call succeeds
 * again; the counts made in memory meanwhile stay there (they end with their windows).
 *
 * @example
 *   const store = createSharedAttemptStore({ shared: redis, local: createMemoryAttemptStore({ clock }), timeoutInMs: 50, clock, logger });
 */
export function createSharedAttemptStore(options: SharedAttemptStoreOptions): AttemptStore & { reportConnectionError(code: string): void } {
  const { shared, local, timeoutInMs, clock } = options;
  const log = options.logger.child({ name: 'attempt-limits' });
  let inOutage = false;
  let skipSharedUntil = 0;

  const outage = (code: string) => {
    skipSharedUntil = clock() + RETRY_AFTER_IN_MS;
    if (inOutage) return;
    inOutage = true;
    log.warn({ code }, `attempt limits: Redis (RATE_LIMIT_REDIS_URL) is not answering (${code}); each replica counts in its own memory until it is back`);
  };
  const recovered = () => {
    if (!inOutage) return;
    inOutage = false;
    log.info('attempt limits: Redis answers again; attempts are counted across replicas');
  };

  /**
   * Runs one shared-store call within `budgetInMs`; undefined when it failed or took longer (an outage then). A result
   * that arrives after the budget is handed to `onLateResult`: the call may have changed Redis (a count taken), and the
   * attempt was counted in memory instead.
   */
  const bounded = async <T>(call: () => Promise<T>, budgetInMs: number, onLateResult?: (result: T) => void): Promise<T | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    // Timers run before the poll phase reads sockets: on a busy loop Redis's answer may already be waiting, unread,
    // when the budget's timer fires. One turn through setImmediate (after the poll phase) lets it be read first.
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => setImmediate(resolve, 'late'), budgetInMs); });
    const work = call();
    try {
      const result = await Promise.race([work, late]);
      if (result === 'late') {
        work.then((value) => onLateResult?.(value), () => undefined);
        outage('REDIS_TIMEOUT');
        // A hung connection is never noticed by the client: start a new one (at most once per RETRY_AFTER_IN_MS, as
        // the next calls go to memory meanwhile).
        shared.reconnect();
        return undefined;
      }
      recovered();
      return result;
    } catch (error) {
      outage(errorCodeOf(error));
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };

  const settleBounded = (call: () => Promise<void>) => () => bounded(call, timeoutInMs).then(() => undefined);

  return {
    reportConnectionError: outage,
    async take(key: string, takeOptions: TakeOptions): Promise<AttemptTaken> {
      const now = clock();
      const budgetInMs = Math.min(timeoutInMs, takeOptions.answerBy - now);
      if (budgetInMs > 0 && now >= skipSharedUntil) {
        if (!shared.isReady()) {
          outage('REDIS_NOT_CONNECTED');
        } else {
          // A count Redis took after the budget is given back: this attempt is counted in memory, and a count left in
          // Redis would outlive its outcome (a right password would not clear it).
          const taken = await bounded(() => shared.take(key, takeOptions), budgetInMs, (late) => void late.giveBack().catch(() => undefined));
          if (taken) return { allowed: taken.allowed, failures: taken.failures, clear: settleBounded(taken.clear), giveBack: settleBounded(taken.giveBack) };
        }
      }
      return local.take(key, takeOptions);
    },
    async close() {
      await Promise.all([shared.close(), local.close()]);
    },
  };
}
