/**
 * Attempt counts in the real Redis on 127.0.0.1:6379 (limits/redis-attempt-store.ts) and the fall-back to memory
 * while Redis is down or hung (limits/shared-attempt-store.ts). Skipped with a reason on a machine without Redis;
 * under CI=true a missing Redis fails the run.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'redis';
import { createLogger } from '../../src/common/logger.js';
import {
  REDIS_KEY_PREFIX,
  attemptKeyOf,
  createAttemptLimiter,
  createMemoryAttemptStore,
  createRedisAttemptStore,
  createSharedAttemptStore,
  type AttemptLimiter,
  type RedisAttemptStore,
} from '../../src/limits/index.js';
import { SERVICES, skipUnlessService } from '../support/services.js';
import { startStallProxy } from '../support/stall-proxy.js';

const skip = await skipUnlessService('redis');
const URL_OF_REDIS = SERVICES.redis.url;
const LIMIT = 3;
const WINDOW_IN_MS = 60_000;
/** A secret of this run's own, so its keys never meet another run's. */
const SECRET = `test-${randomUUID()}`;
const TIMEOUT_IN_MS = 50;

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  return { logger, lines, warnings: () => lines.filter((line) => line.level === 40) };
}

function sharedLimiter(url: string, logger = capturedLogger().logger): { limiter: AttemptLimiter; redis: RedisAttemptStore } {
  let store: ReturnType<typeof createSharedAttemptStore> | undefined;
  const redis = createRedisAttemptStore({ url, onConnectionError: (code) => store?.reportConnectionError(code) });
  store = createSharedAttemptStore({ shared: redis, local: createMemoryAttemptStore({ clock: Date.now }), timeoutInMs: TIMEOUT_IN_MS, clock: Date.now, logger });
  return { limiter: createAttemptLimiter({ limit: LIMIT, windowInMs: WINDOW_IN_MS, keySecret: SECRET, store }), redis };
}

async function untilReady(redis: RedisAttemptStore, timeoutInMs = 3000): Promise<void> {
  const until = Date.now() + timeoutInMs;
  while (!redis.isReady()) {
    if (Date.now() > until) throw new Error('Redis client not ready');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const admitted = async (limiter: AttemptLimiter, name: string) => (await limiter.admit(name, { answerBy: Date.now() + 1000 })).allowed;

describe('attempt counts in Redis', { skip }, () => {
  const admin = createClient({ url: URL_OF_REDIS });
  const names: string[] = [];
  const nameFor = (label: string) => {
    const name = `${label}-${randomUUID()}@contoso.example`;
    names.push(name);
    return name;
  };
  before(async () => {
    await admin.connect();
  });
  after(async () => {
    if (names.length > 0) await admin.del(names.map((name) => REDIS_KEY_PREFIX + attemptKeyOf(name, SECRET)));
    await admin.close();
  });

  test('two replicas sharing one Redis see each other\'s counts; Redis holds a keyed hash and a count, expiring with the window', async () => {
    const one = sharedLimiter(URL_OF_REDIS);
    const two = sharedLimiter(URL_OF_REDIS);
    try {
      await Promise.all([untilReady(one.redis), untilReady(two.redis)]);
      const name = nameFor('ada');
      assert.equal(await admitted(one.limiter, name), true);
      assert.equal(await admitted(two.limiter, name.toUpperCase()), true);
      assert.equal(await admitted(one.limiter, name), true);
      assert.equal(await admitted(two.limiter, name), false, 'the fourth attempt, on the other replica');
      assert.equal(await admitted(one.limiter, name), false);
      const key = REDIS_KEY_PREFIX + attemptKeyOf(name, SECRET);
      assert.equal(await admin.get(key), '3');
      const ttl = await admin.pTTL(key);
      assert.ok(ttl > WINDOW_IN_MS - 5000 && ttl <= WINDOW_IN_MS, `PTTL ${ttl}`);
      const ours = await admin.keys(`${REDIS_KEY_PREFIX}*`);
      assert.ok(ours.every((stored) => !stored.includes('@') && !stored.includes('contoso')), 'no sign-in name in a key');
    } finally {
      await Promise.all([one.limiter.close(), two.limiter.close()]);
    }
  });

  test('a burst spread over two replicas stops at the limit: the script takes the last attempt once', async () => {
    const one = sharedLimiter(URL_OF_REDIS);
    const two = sharedLimiter(URL_OF_REDIS);
    try {
      await Promise.all([untilReady(one.redis), untilReady(two.redis)]);
      const name = nameFor('burst');
      const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => admitted(index % 2 ? one.limiter : two.limiter, name)));
      assert.equal(answers.filter(Boolean).length, LIMIT);
    } finally {
      await Promise.all([one.limiter.close(), two.limiter.close()]);
    }
  });

  test('clear() deletes the count; giveBack() returns one attempt', async () => {
    const { limiter, redis } = sharedLimiter(URL_OF_REDIS);
    try {
      await untilReady(redis);
      const name = nameFor('settle');
      const key = REDIS_KEY_PREFIX + attemptKeyOf(name, SECRET);
      await limiter.admit(name, { answerBy: Date.now() + 1000 });
      const second = await limiter.admit(name, { answerBy: Date.now() + 1000 });
      await second.giveBack();
      assert.equal(await admin.get(key), '1');
      const third = await limiter.admit(name, { answerBy: Date.now() + 1000 });
      await third.clear();
      assert.equal(await admin.exists(key), 0);
    } finally {
      await limiter.close();
    }
  });

  test('Redis not listening: every answer comes at once from memory, which still enforces the limit; one warning, no URL in it', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const log = capturedLogger();
    const { limiter } = sharedLimiter(`redis://:Hunter2-Redis@127.0.0.1:${port}`, log.logger);
    try {
      const name = nameFor('down');
      const answers: boolean[] = [];
      for (let attempt = 0; attempt < 5; attempt++) {
        const startedAt = performance.now();
        answers.push(await admitted(limiter, name));
        assert.ok(performance.now() - startedAt < TIMEOUT_IN_MS + 20, `attempt ${attempt} took ${performance.now() - startedAt} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(answers, [true, true, true, false, false]);
      assert.equal(log.warnings().length, 1, JSON.stringify(log.lines));
      assert.match(String(log.warnings()[0]!.msg), /RATE_LIMIT_REDIS_URL/);
      assert.ok(!JSON.stringify(log.lines).includes('Hunter2'), 'the URL\'s password is never logged');
    } finally {
      await limiter.close();
    }
  });

  test('Redis hung (TCP up, no answer): answers within the time limit from memory, one warning, then Redis again on a new connection', async () => {
    const proxy = await startStallProxy({ host: SERVICES.redis.host, port: SERVICES.redis.port });
    const log = capturedLogger();
    const { limiter, redis } = sharedLimiter(`redis://127.0.0.1:${proxy.port}`, log.logger);
    try {
      await untilReady(redis);
      const name = nameFor('hung');
      assert.equal(await admitted(limiter, name), true, 'counted in Redis');
      assert.equal(proxy.stall(), 1);
      const startedAt = performance.now();
      assert.equal(await admitted(limiter, name), true, 'counted in memory');
      const took = performance.now() - startedAt;
      assert.ok(took >= TIMEOUT_IN_MS - 2 && took < TIMEOUT_IN_MS + 30, `${took} ms`);
      for (let attempt = 0; attempt < 3; attempt++) await admitted(limiter, name);
      assert.equal(log.warnings().length, 1);
      assert.equal(log.warnings()[0]!.code, 'REDIS_TIMEOUT');
      // A second later the next call tries Redis again, on the connection opened after the timeout.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await untilReady(redis);
      assert.equal(await admitted(limiter, name), true, 'the second failure counted in Redis');
      assert.equal(await admin.get(REDIS_KEY_PREFIX + attemptKeyOf(name, SECRET)), '2');
      assert.ok(log.lines.some((line) => line.level === 30 && /answers again/.test(String(line.msg))), JSON.stringify(log.lines));
      assert.ok(proxy.accepted() >= 2, 'a new connection was made');
    } finally {
      await limiter.close();
      await proxy.close();
    }
  });
});
