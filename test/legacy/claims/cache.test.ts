import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cachedClaimsSource, type ClaimsSubject, type LegacyClaims, type TokenClaimsSource } from '../../../src/legacy/claims/index.js';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../../src/legacy/index.js';

const ADA: ClaimsSubject = { objectId: 'ada-object-id', email: 'ada@contoso.example', legacyId: '42' };
const call = () => ({ abortSignal: new AbortController().signal, deadlineAt: Date.now() + 1000 });

/** A source that counts its calls and answers `answer(subject)` (or throws it). */
function countingSource(answer: (subject: ClaimsSubject) => LegacyClaims | Error = (subject) => ({ who: subject.objectId })) {
  const calls: ClaimsSubject[] = [];
  let closed = 0;
  const source: TokenClaimsSource = {
    kind: 'fake',
    async claimsFor(subject) {
      calls.push(subject);
      const result = answer(subject);
      if (result instanceof Error) throw result;
      return result;
    },
    async close() {
      closed += 1;
    },
  };
  return { source, calls, closed: () => closed };
}

describe('cachedClaimsSource', () => {
  test('a second call within the TTL is a hit; after it, the source is asked again', async () => {
    let now = 1_000_000;
    const { source, calls } = countingSource();
    const cached = cachedClaimsSource(source, { ttlInMs: 300_000, now: () => now });
    assert.deepEqual(await cached.claimsFor(ADA, call()), { who: 'ada-object-id' });
    now += 299_999;
    assert.deepEqual(await cached.claimsFor(ADA, call()), { who: 'ada-object-id' });
    assert.equal(calls.length, 1);
    now += 1;
    await cached.claimsFor(ADA, call());
    assert.equal(calls.length, 2);
    assert.deepEqual(cached.stats(), { hits: 1, misses: 2, joined: 0, entries: 1 });
    assert.equal(cached.kind, 'cached(fake)');
  });

  test('the key is the whole subject: another legacy id or e-mail asks again', async () => {
    const { source, calls } = countingSource();
    const cached = cachedClaimsSource(source, { ttlInMs: 60_000, now: () => 0 });
    await cached.claimsFor(ADA, call());
    await cached.claimsFor({ ...ADA, legacyId: null }, call());
    await cached.claimsFor({ ...ADA, email: null }, call());
    assert.equal(calls.length, 3);
  });

  test('failures are not cached', async () => {
    let fail = true;
    const { source, calls } = countingSource((subject) => (fail ? new LegacyStoreError(LegacyStoreErrorCode.TIMEOUT, 'slow') : { who: subject.objectId }));
    const cached = cachedClaimsSource(source, { ttlInMs: 60_000, now: () => 0 });
    await assert.rejects(cached.claimsFor(ADA, call()), { code: LegacyStoreErrorCode.TIMEOUT });
    fail = false;
    assert.deepEqual(await cached.claimsFor(ADA, call()), { who: 'ada-object-id' });
    assert.equal(calls.length, 2);
  });

  test('bounded: the least recently used user goes first', async () => {
    const { source, calls } = countingSource();
    const cached = cachedClaimsSource(source, { ttlInMs: 60_000, maxEntries: 2, now: () => 0 });
    const user = (id: string): ClaimsSubject => ({ objectId: id, email: null, legacyId: null });
    await cached.claimsFor(user('a'), call());
    await cached.claimsFor(user('b'), call());
    await cached.claimsFor(user('a'), call()); // a is now the most recent
    await cached.claimsFor(user('c'), call()); // b goes
    assert.equal(cached.stats().entries, 2);
    await cached.claimsFor(user('a'), call());
    assert.equal(calls.length, 3, 'a is still cached');
    await cached.claimsFor(user('b'), call());
    assert.equal(calls.length, 4, 'b was dropped');
  });

  test('a TTL of 0 asks the source every time', async () => {
    const { source, calls } = countingSource();
    const cached = cachedClaimsSource(source, { ttlInMs: 0, now: () => 0 });
    await cached.claimsFor(ADA, call());
    await cached.claimsFor(ADA, call());
    assert.equal(calls.length, 2);
    assert.equal(cached.kind, 'fake');
    assert.deepEqual(cached.stats(), { hits: 0, misses: 2, joined: 0, entries: 0 });
  });

  test('one question per user at a time: concurrent calls for one subject share the source\'s answer', async () => {
    const { source, calls, release } = gatedSource();
    const cached = cachedClaimsSource(source, { ttlInMs: 60_000, now: () => 0 });
    const answers = Promise.all([cached.claimsFor(ADA, call()), cached.claimsFor(ADA, call()), cached.claimsFor({ ...ADA, legacyId: '43' }, call())]);
    await settle();
    assert.equal(calls.length, 2, 'Ada asked once, the other subject once');
    release({ who: 'answer' });
    assert.deepEqual(await answers, [{ who: 'answer' }, { who: 'answer' }, { who: 'answer' }]);
    assert.deepEqual(cached.stats(), { hits: 0, misses: 2, joined: 1, entries: 2 });
  });

  test('a shared failure reaches every waiter and is not cached', async () => {
    const { source, calls, release } = gatedSource();
    const cached = cachedClaimsSource(source, { ttlInMs: 60_000, now: () => 0 });
    const first = cached.claimsFor(ADA, call());
    const second = cached.claimsFor(ADA, call());
    await settle();
    release(new LegacyStoreError(LegacyStoreErrorCode.TIMEOUT, 'slow'));
    await assert.rejects(first, { code: LegacyStoreErrorCode.TIMEOUT });
    await assert.rejects(second, { code: LegacyStoreErrorCode.TIMEOUT });
    const third = cached.claimsFor(ADA, call());
    await settle();
    assert.equal(calls.length, 2, 'asked again after the failure');
    release({ who: 'later' });
    assert.deepEqual(await third, { who: 'later' });
  });

  test('a waiter keeps its own deadline, and asks itself when only the first caller gave up', async () => {
    const { source, calls, release } = gatedSource();
    const cached = cachedClaimsSource(source, { ttlInMs: 60_000, now: () => 0 });
    const firstCaller = new AbortController();
    const impatient = new AbortController();
    const first = cached.claimsFor(ADA, { abortSignal: firstCaller.signal, deadlineAt: 0 });
    const waiter = cached.claimsFor(ADA, call());
    const impatientWaiter = cached.claimsFor(ADA, { abortSignal: impatient.signal, deadlineAt: 0 });
    await settle();
    impatient.abort(new Error('deadline'));
    await assert.rejects(impatientWaiter, /deadline/);
    firstCaller.abort(new Error('first caller gone'));
    await assert.rejects(first, /first caller gone/);
    await settle();
    assert.equal(calls.length, 2, 'the waiter asked the source itself');
    release({ who: 'waiter' });
    assert.deepEqual(await waiter, { who: 'waiter' });
  });

  test('close closes the source; bad options are refused', async () => {
    const fake = countingSource();
    await cachedClaimsSource(fake.source, { ttlInMs: 1, now: () => 0 }).close();
    assert.equal(fake.closed(), 1);
    assert.throws(() => cachedClaimsSource(fake.source, { ttlInMs: -1, now: () => 0 }), RangeError);
    assert.throws(() => cachedClaimsSource(fake.source, { ttlInMs: 1.5, now: () => 0 }), RangeError);
    assert.throws(() => cachedClaimsSource(fake.source, { ttlInMs: 1, maxEntries: 0, now: () => 0 }), RangeError);
  });
});

/** A source whose answers wait for `release`: each call's promise settles with the next released value (or error). */
function gatedSource() {
  const calls: ClaimsSubject[] = [];
  const waiting: Array<{ resolve: (claims: LegacyClaims) => void; reject: (error: Error) => void }> = [];
  const source: TokenClaimsSource = {
    kind: 'gated',
    claimsFor(subject, { abortSignal }) {
      calls.push(subject);
      return new Promise<LegacyClaims>((resolve, reject) => {
        abortSignal.addEventListener('abort', () => reject(abortSignal.reason), { once: true });
        waiting.push({ resolve, reject });
      });
    },
    async close() {},
  };
  const release = (answer: LegacyClaims | Error) => {
    for (const { resolve, reject } of waiting.splice(0)) answer instanceof Error ? reject(answer) : resolve(answer);
  };
  return { source, calls, release };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
