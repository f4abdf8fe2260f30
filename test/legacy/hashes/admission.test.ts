import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAdmission } from '../../../src/legacy/hashes/admission.js';
import { HashErrorCode } from '../../../src/legacy/hashes/index.js';

const deferred = () => {
  let resolve!: (value: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  return { promise, resolve };
};

test('runs at most `concurrency` at once and starts a waiter as one ends', async () => {
  const admission = createAdmission({ concurrency: 2, maxQueue: 10 });
  const gates = [deferred(), deferred(), deferred()];
  const started: number[] = [];
  const runs = gates.map((gate, i) => admission.run(() => (started.push(i), gate.promise)));
  assert.deepEqual(started, [0, 1]);
  assert.deepEqual(admission.load(), { running: 2, waiting: 1 });
  gates[0]!.resolve('a');
  assert.equal(await runs[0], 'a');
  assert.deepEqual(started, [0, 1, 2]);
  gates[1]!.resolve('b');
  gates[2]!.resolve('c');
  assert.deepEqual(await Promise.all(runs), ['a', 'b', 'c']);
  assert.deepEqual(admission.load(), { running: 0, waiting: 0 });
});

test('waiting work whose signal aborts is dropped, never started, and rejects with the reason', async () => {
  const admission = createAdmission({ concurrency: 1, maxQueue: 10 });
  const gate = deferred();
  const first = admission.run(() => gate.promise);
  const abort = new AbortController();
  let started = false;
  const second = admission.run(async () => (started = true), abort.signal);
  abort.abort(new Error('deadline'));
  await assert.rejects(second, /deadline/);
  gate.resolve('done');
  await first;
  assert.equal(started, false);
  await assert.rejects(admission.run(async () => 1, abort.signal), /deadline/, 'an aborted signal is refused at once');
});

test('a full queue is HASH_VERIFIER_BUSY; a failing task frees its slot', async () => {
  const admission = createAdmission({ concurrency: 1, maxQueue: 1 });
  const gate = deferred();
  const running = admission.run(() => gate.promise);
  const waiting = admission.run(() => Promise.reject(new Error('boom')));
  await assert.rejects(admission.run(async () => 1), (error: { code?: string }) => error.code === HashErrorCode.HASH_VERIFIER_BUSY);
  gate.resolve('x');
  await running;
  await assert.rejects(waiting, /boom/);
  assert.equal(await admission.run(async () => 42), 42);
});

test('first come, first served while the queue is short', async () => {
  const admission = createAdmission({ concurrency: 1, maxQueue: 10 });
  const gate = deferred();
  const order: string[] = [];
  const first = admission.run(() => gate.promise);
  const older = admission.run(async () => void order.push('older'));
  const newer = admission.run(async () => void order.push('newer'));
  gate.resolve('x');
  await Promise.all([first, older, newer]);
  assert.deepEqual(order, ['older', 'newer']);
});

test('once the oldest waiter has waited too long, the newest starts first', async () => {
  let time = 0;
  const admission = createAdmission({ concurrency: 1, maxQueue: 10, lifoAfterInMs: 1000, now: () => time });
  const gate = deferred();
  const order: string[] = [];
  const first = admission.run(() => gate.promise);
  const older = admission.run(async () => void order.push('older'));
  const newer = admission.run(async () => void order.push('newer'));
  time = 1500;
  gate.resolve('x');
  await Promise.all([first, older, newer]);
  assert.deepEqual(order, ['newer', 'older']);
});

test('each piece of work turned away is reported once, with why: busy (queue full) or expired (its signal aborted first)', async () => {
  const rejected: string[] = [];
  const admission = createAdmission({ concurrency: 1, maxQueue: 1, onRejected: (reason) => rejected.push(reason) });
  const gate = deferred();
  const running = admission.run(() => gate.promise);
  const abort = new AbortController();
  const waiting = admission.run(async () => 'never', abort.signal);
  await assert.rejects(admission.run(async () => 1), (error: { code?: string }) => error.code === HashErrorCode.HASH_VERIFIER_BUSY);
  assert.deepEqual(rejected, ['busy']);
  abort.abort(new Error('deadline'));
  await assert.rejects(waiting, /deadline/);
  assert.deepEqual(rejected, ['busy', 'expired'], 'a waiter dropped by its deadline');
  await assert.rejects(admission.run(async () => 1, abort.signal), /deadline/);
  assert.deepEqual(rejected, ['busy', 'expired', 'expired'], 'work arriving with its deadline gone');
  gate.resolve('x');
  await running;
  assert.equal(await admission.run(async () => 2, new AbortController().signal), 2);
  const failing = admission.run(() => Promise.reject(new Error('boom')));
  await assert.rejects(failing, /boom/);
  assert.deepEqual(rejected, ['busy', 'expired', 'expired'], 'work that ran, even failing, is no rejection');
  assert.deepEqual(admission.load(), { running: 0, waiting: 0 });
});
