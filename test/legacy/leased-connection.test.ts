import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withLeasedConnection, type ConnectionLease } from '../../src/legacy/stores/sql/leased-connection.js';

/** A pool of numbered fake connections that records what happened to each. */
function fakePool(acquire: () => Promise<number> = async () => 1) {
  const log: string[] = [];
  const lease: ConnectionLease<number> = {
    acquire,
    release: (connection) => void log.push(`release ${connection}`),
    destroy: (connection) => void log.push(`destroy ${connection}`),
  };
  return { lease, log };
}

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const timeoutError = () => new Error('timed out');
const tick = () => new Promise((resolve) => setImmediate(resolve));

test('work that succeeds gives its connection back to the pool', async () => {
  const { lease, log } = fakePool();
  assert.equal(await withLeasedConnection(lease, async (connection) => `rows from ${connection}`, { timeoutInMs: 1000, timeoutError }), 'rows from 1');
  assert.deepEqual(log, ['release 1']);
});

test('work that fails destroys its connection and rejects with the error', async () => {
  const { lease, log } = fakePool();
  const failure = new Error('syntax error');
  await assert.rejects(withLeasedConnection(lease, async () => Promise.reject(failure), { timeoutInMs: 1000, timeoutError }), (error) => error === failure);
  assert.deepEqual(log, ['destroy 1']);
});

test('work abandoned at the timeout destroys its connection at once; its late answer gives nothing back twice', async () => {
  const { lease, log } = fakePool();
  const answer = deferred<string>();
  await assert.rejects(withLeasedConnection(lease, () => answer.promise, { timeoutInMs: 20, timeoutError }), /timed out/);
  assert.deepEqual(log, ['destroy 1']);
  answer.resolve('late rows');
  await tick();
  assert.deepEqual(log, ['destroy 1']);
});

test('work abandoned by its signal destroys its connection; a late failure of the work is absorbed', async () => {
  const { lease, log } = fakePool();
  const answer = deferred<string>();
  const controller = new AbortController();
  const reason = new Error('caller gave up');
  const call = withLeasedConnection(lease, () => answer.promise, { timeoutInMs: 10_000, abortSignal: controller.signal, timeoutError });
  await tick();
  controller.abort(reason);
  await assert.rejects(call, (error) => error === reason);
  assert.deepEqual(log, ['destroy 1']);
  answer.reject(new Error('connection reset'));
  await tick();
  assert.deepEqual(log, ['destroy 1']);
});

test('a connection that arrives after the call was abandoned goes back to the pool unused', async () => {
  const arriving = deferred<number>();
  const { lease, log } = fakePool(() => arriving.promise);
  let used = false;
  const work = async () => {
    used = true;
    return 'rows';
  };
  await assert.rejects(withLeasedConnection(lease, work, { timeoutInMs: 20, timeoutError }), /timed out/);
  arriving.resolve(7);
  await tick();
  assert.equal(used, false);
  assert.deepEqual(log, ['release 7']);
});

test('an already aborted signal checks nothing out', async () => {
  let asked = false;
  const { lease, log } = fakePool(async () => {
    asked = true;
    return 1;
  });
  const reason = new Error('too late');
  await assert.rejects(withLeasedConnection(lease, async () => 'rows', { timeoutInMs: 1000, abortSignal: AbortSignal.abort(reason), timeoutError }), (error) => error === reason);
  assert.equal(asked, false);
  assert.deepEqual(log, []);
});
