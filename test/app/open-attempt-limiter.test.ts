/** What `serve` opens for ATTEMPT_LIMIT_PER_ACCOUNT and RATE_LIMIT_REDIS_URL (app/open-attempt-limiter.ts). */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { createClient } from 'redis';
import { openAttemptLimiter } from '../../src/app/open-attempt-limiter.js';
import { createLogger } from '../../src/common/logger.js';
import { REDIS_KEY_PREFIX, attemptKeyOf } from '../../src/limits/index.js';
import { SERVICES, skipUnlessService } from '../support/services.js';

const redisSkip = await skipUnlessService('redis');

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, logger: createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } }) };
}

describe('openAttemptLimiter', () => {
  test('ATTEMPT_LIMIT_PER_ACCOUNT=0: no limiter, and a warning that says so', () => {
    const { lines, logger } = capturedLogger();
    assert.equal(openAttemptLimiter({ perAccount: 0, windowInMs: 900_000, redis: null, stuffingSignal: null }, { clock: Date.now, logger }), undefined);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 40);
    assert.match(String(lines[0]!.msg), /ATTEMPT_LIMIT_PER_ACCOUNT=0/);
  });

  test('in memory: the limit and window in one line; two processes would name accounts differently (a key drawn per start)', async () => {
    const { lines, logger } = capturedLogger();
    const limiter = openAttemptLimiter({ perAccount: 2, windowInMs: 60_000, redis: null, stuffingSignal: null }, { clock: Date.now, logger })!;
    const answers = [];
    for (let attempt = 0; attempt < 3; attempt++) answers.push((await limiter.admit('ada@contoso.example', { answerBy: Date.now() + 1000 })).allowed);
    assert.deepEqual(answers, [true, true, false]);
    assert.deepEqual({ limit: lines[0]!.limitPerAccount, window: lines[0]!.windowInSeconds, store: lines[0]!.store }, { limit: 2, window: 60, store: 'memory' });
    await limiter.close();
  });

  test('with RATE_LIMIT_REDIS_URL: counts in Redis under RATE_LIMIT_KEY_SECRET, the URL never logged', { skip: redisSkip }, async () => {
    const { lines, logger } = capturedLogger();
    const keySecret = `secret-${randomUUID()}`;
    const url = SERVICES.redis.url.replace('redis://', 'redis://default:@');
    const limiter = openAttemptLimiter({ perAccount: 2, windowInMs: 60_000, redis: { url, keySecret, timeoutInMs: 200 }, stuffingSignal: null }, { clock: Date.now, logger })!;
    const admin = createClient({ url: SERVICES.redis.url });
    await admin.connect();
    const name = `ada-${randomUUID()}@contoso.example`;
    const key = REDIS_KEY_PREFIX + attemptKeyOf(name, keySecret);
    try {
      // The connection opens in the background: the first attempts may be counted in memory until it is up.
      const until = Date.now() + 3000;
      while ((await admin.get(key)) === null && Date.now() < until) {
        await limiter.admit(name, { answerBy: Date.now() + 1000 });
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.notEqual(await admin.get(key), null, 'counted in Redis');
      assert.equal(lines[0]!.store, 'redis');
      assert.ok(!JSON.stringify(lines).includes('redis://'), JSON.stringify(lines));
    } finally {
      await admin.del(key);
      await admin.close();
      await limiter.close();
    }
  });
});
