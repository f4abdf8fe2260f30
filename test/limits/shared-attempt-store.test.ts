import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/common/logger.js';
import type { AttemptTaken } from '../../src/limits/attempt-store.js';
import { createMemoryAttemptStore } from '../../src/limits/memory-attempt-store.js';
import type { RedisAttemptStore } from '../../src/limits/redis-attempt-store.js';
import { createSharedAttemptStore } from '../../src/limits/shared-attempt-store.js';

/** A shared store whose `take` answers `delayInMs` late, counting what is taken and given back. */
function slowShared(delayInMs: number) {
  const seen = { taken: 0, givenBack: 0, cleared: 0, reconnects: 0 };
  const shared: RedisAttemptStore = {
    isReady: () => true,
    reconnect: () => void seen.reconnects++,
    close: async () => undefined,
    take: async () => {
      await new Promise((resolve) => setTimeout(resolve, delayInMs));
      seen.taken++;
      const taken: AttemptTaken = {
        allowed: true,
        failures: seen.taken - seen.givenBack,
        clear: async () => void seen.cleared++,
        giveBack: async () => void seen.givenBack++,
      };
      return taken;
    },
  };
  return { shared, seen };
}

test('a count Redis takes after the time limit is given back there: the attempt was counted in memory instead', async () => {
  const { shared, seen } = slowShared(60);
  const store = createSharedAttemptStore({ shared, local: createMemoryAttemptStore({ clock: Date.now }), timeoutInMs: 20, clock: Date.now, logger: silentLogger() });
  const taken = await store.take('ada', { limit: 10, windowInMs: 60_000, answerBy: Date.now() + 1000 });
  assert.equal(taken.allowed, true);
  assert.equal(taken.failures, 1, 'counted in memory');
  assert.equal(seen.reconnects, 1, 'a slow Redis gets a new connection');
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(seen.taken, 1, 'Redis did count it, late');
  assert.equal(seen.givenBack, 1, 'and the late count was given back, so a right password later is not refused for it');
  await taken.clear();
  assert.equal(seen.cleared, 0, 'the outcome settles the memory count, not the late Redis one');
  await store.close();
});

test('a count Redis takes in time is kept, and settled by the outcome', async () => {
  const { shared, seen } = slowShared(1);
  const store = createSharedAttemptStore({ shared, local: createMemoryAttemptStore({ clock: Date.now }), timeoutInMs: 200, clock: Date.now, logger: silentLogger() });
  const taken = await store.take('ada', { limit: 10, windowInMs: 60_000, answerBy: Date.now() + 1000 });
  await taken.clear();
  assert.deepEqual(seen, { taken: 1, givenBack: 0, cleared: 1, reconnects: 0 });
  await store.close();
});
