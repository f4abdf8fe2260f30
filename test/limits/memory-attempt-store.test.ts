/** The in-memory attempt counts and the keyed names (limits/memory-attempt-store.ts, limits/attempt-limiter.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attemptKeyOf, createAttemptLimiter, createMemoryAttemptStore } from '../../src/limits/index.js';

const WINDOW = { limit: 3, windowInMs: 60_000, answerBy: Number.MAX_SAFE_INTEGER };

describe('memory attempt store', () => {
  test('counts each attempt as it is taken and refuses the one after the limit, without counting it', async () => {
    const store = createMemoryAttemptStore({ clock: () => 1_000 });
    const taken = [];
    for (let attempt = 0; attempt < 5; attempt++) taken.push(await store.take('k', WINDOW));
    assert.deepEqual(taken.map(({ allowed, failures }) => [allowed, failures]), [[true, 1], [true, 2], [true, 3], [false, 3], [false, 3]]);
  });

  test('the window starts at the first failure and is not extended by later ones or by refusals', async () => {
    let now = 0;
    const store = createMemoryAttemptStore({ clock: () => now });
    await store.take('k', WINDOW);
    now = 59_000;
    await store.take('k', WINDOW);
    await store.take('k', WINDOW);
    assert.equal((await store.take('k', WINDOW)).allowed, false);
    now = 59_999;
    assert.equal((await store.take('k', WINDOW)).allowed, false);
    now = 60_000;
    assert.deepEqual(await store.take('k', WINDOW).then(({ allowed, failures }) => [allowed, failures]), [true, 1]);
  });

  test('clear() starts the count again; giveBack() returns one attempt; neither touches a later window', async () => {
    let now = 0;
    const store = createMemoryAttemptStore({ clock: () => now });
    await store.take('k', WINDOW);
    const second = await store.take('k', WINDOW);
    await second.giveBack();
    assert.equal((await store.take('k', WINDOW)).failures, 2, 'the given-back attempt no longer counts');
    const third = await store.take('k', WINDOW);
    await third.clear();
    assert.equal((await store.take('k', WINDOW)).failures, 1, 'cleared');
    const old = await store.take('k', WINDOW);
    now = 60_000;
    const fresh = await store.take('k', WINDOW);
    await old.clear();
    await old.giveBack();
    assert.equal((await store.take('k', WINDOW)).failures, fresh.failures + 1, 'settling an attempt of an ended window changes nothing');
  });

  test('holds at most maxAccounts counts: the oldest is dropped for a new name', async () => {
    const store = createMemoryAttemptStore({ clock: () => 0, maxAccounts: 2 });
    for (const key of ['a', 'a', 'a', 'b', 'c']) await store.take(key, WINDOW);
    assert.equal((await store.take('a', WINDOW)).failures, 1, "a's count was dropped for c");
    assert.equal((await store.take('c', WINDOW)).failures, 2);
  });
});

describe('attemptKeyOf', () => {
  test('one key per name as the legacy look-up compares it, different under another secret, never the name itself', () => {
    const key = attemptKeyOf('Ada@Contoso.example', 'secret-one');
    assert.equal(key, attemptKeyOf('ada@contoso.example', 'secret-one'));
    assert.equal(key, attemptKeyOf('ADA@CONTOSO.EXAMPLE', 'secret-one'));
    assert.notEqual(key, attemptKeyOf('ada@contoso.example', 'secret-two'));
    assert.notEqual(key, attemptKeyOf('ada@contoso.example ', 'secret-one'), 'a space makes another name, as it does in the legacy look-up');
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(attemptKeyOf('x'.repeat(10_000), 'secret-one').length, 43);
  });
});

describe('attempt limiter', () => {
  test('admits by sign-in name through its store, case folded', async () => {
    const limiter = createAttemptLimiter({ limit: 2, windowInMs: 60_000, keySecret: 's', store: createMemoryAttemptStore({ clock: () => 0 }) });
    const answers = [];
    for (const name of ['Ada', 'ada', 'ADA', 'bob']) answers.push((await limiter.admit(name, { answerBy: Infinity })).allowed);
    assert.deepEqual(answers, [true, true, false, true]);
  });

  test('a store that throws does not fail the sign-in: the attempt is let through', async () => {
    const limiter = createAttemptLimiter({
      limit: 2,
      windowInMs: 60_000,
      keySecret: 's',
      store: { take: () => Promise.reject(new Error('boom')), close: () => Promise.resolve() },
    });
    assert.equal((await limiter.admit('ada', { answerBy: Infinity })).allowed, true);
  });
});
