import { randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { AttemptLimitSettings } from '../config/serve-config.js';
import {
  createAttemptLimiter,
  createMemoryAttemptStore,
  createRedisAttemptStore,
  createSharedAttemptStore,
  type AttemptLimiter,
} from '../limits/index.js';

/**
 * Opens the per-account attempt limit `serve` asks before each legacy check (docs/attempt-limits.md): counts in this
 * process's memory, keyed by an HMAC whose key is drawn at start (the names never leave the process, and a heap dump
 * shows no address); or, with RATE_LIMIT_REDIS_URL, in Redis shared by every replica, keyed by RATE_LIMIT_KEY_SECRET,
 * with memory taking over while Redis cannot answer. Undefined when ATTEMPT_LIMIT_PER_ACCOUNT=0. One line at start
 * says which; the Redis URL is never logged (it may hold a password).
 *
 * @example
 *   const limiter = openAttemptLimiter(config.attemptLimits, { clock, logger });
 */
export function openAttemptLimiter(settings: AttemptLimitSettings, options: { clock: Clock; logger: Logger }): AttemptLimiter | undefined {
  const log = options.logger.child({ name: 'attempt-limits' });
  const { perAccount: limit, windowInMs } = settings;
  if (limit === 0) {
    log.warn('attempt limits are off (ATTEMPT_LIMIT_PER_ACCOUNT=0): every wrong password is checked against the legacy system, however many');
    return undefined;
  }
  const local = createMemoryAttemptStore({ clock: options.clock });
  const window = { limitPerAccount: limit, windowInSeconds: windowInMs / 1000 };
  if (settings.redis === null) {
    log.info({ ...window, store: 'memory' }, `attempt limits: ${limit} wrong passwords per sign-in name in ${windowInMs / 1000} s, counted in this process's memory`);
    return createAttemptLimiter({ limit, windowInMs, keySecret: randomBytes(32), store: local });
  }
  let shared: ReturnType<typeof createSharedAttemptStore> | undefined;
  const redis = createRedisAttemptStore({ url: settings.redis.url, onConnectionError: (code) => shared?.reportConnectionError(code) });
  shared = createSharedAttemptStore({ shared: redis, local, timeoutInMs: settings.redis.timeoutInMs, clock: options.clock, logger: options.logger });
  log.info({ ...window, store: 'redis' }, `attempt limits: ${limit} wrong passwords per sign-in name in ${windowInMs / 1000} s, counted in Redis (RATE_LIMIT_REDIS_URL) across replicas`);
  return createAttemptLimiter({ limit, windowInMs, keySecret: settings.redis.keySecret, store: shared });
}
