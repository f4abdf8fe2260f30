export type { AttemptStore, AttemptTaken, TakeOptions } from './attempt-store.js';
export { attemptKeyOf, createAttemptLimiter, type AttemptLimiter, type AttemptLimiterOptions } from './attempt-limiter.js';
export { createMemoryAttemptStore } from './memory-attempt-store.js';
export { REDIS_KEY_PREFIX, createRedisAttemptStore, type RedisAttemptStore, type RedisAttemptStoreOptions } from './redis-attempt-store.js';
export { createSharedAttemptStore, type SharedAttemptStoreOptions } from './shared-attempt-store.js';
export { attemptSideOf, createStuffingSignal, type StuffingFigures, type StuffingSignalOptions } from './stuffing-signal.js';
