import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BatchDispatcher } from '../../../src/bulk/steps/batch-dispatcher.js';

interface Item {
  n: number;
  notBefore: number;
  sends: number;
}

const items = (count: number): Item[] => Array.from({ length: count }, (_, n) => ({ n, notBefore: 0, sends: 0 }));
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchDispatcher', () => {
  test('batches of at most 20, in queue order, never more than `concurrency` in flight; everything sent once', async () => {
    const sent: number[][] = [];
    let inFlight = 0;
    let most = 0;
    const dispatcher = new BatchDispatcher<Item>({
      concurrency: 2,
      now: Date.now,
      onInterrupted: () => assert.fail('not stopped'),
      onBatchSettled: () => undefined,
      send: async (batch) => {
        most = Math.max(most, ++inFlight);
        sent.push(batch.map((item) => item.n));
        await tick();
        inFlight--;
        return [];
      },
    });
    for (const item of items(105)) await dispatcher.add(item);
    await dispatcher.finish();
    assert.deepEqual(sent.map((batch) => batch.length), [20, 20, 20, 20, 20, 5]);
    assert.deepEqual(sent.flat(), items(105).map((item) => item.n));
    assert.equal(most, 2);
    assert.equal(dispatcher.batchesInFlight, 0);
  });

  test('items sent back go round again once their back-off ends; the others are not held up', async () => {
    const sent: number[][] = [];
    const sentAt: number[] = [];
    const dispatcher = new BatchDispatcher<Item>({
      concurrency: 4,
      now: Date.now,
      onInterrupted: () => assert.fail('not stopped'),
      onBatchSettled: () => undefined,
      send: async (batch) => {
        sent.push(batch.map((item) => item.n));
        sentAt.push(Date.now());
        const again = batch.filter((item) => item.n === 3 && item.sends++ === 0);
        for (const item of again) item.notBefore = Date.now() + 50;
        return again;
      },
    });
    for (const item of items(25)) await dispatcher.add(item);
    await dispatcher.finish();
    assert.deepEqual(sent, [[...Array(20).keys()], [20, 21, 22, 23, 24], [3]]);
    assert.ok(sentAt[2]! - sentAt[0]! >= 45, `sent again after ${sentAt[2]! - sentAt[0]!} ms`);
    assert.ok(sentAt[1]! - sentAt[0]! < 45, 'the rest was not held up by the back-off');
  });

  test('the first batch that fails as a whole fails the run; the batches in flight still finish', async () => {
    let finished = 0;
    const dispatcher = new BatchDispatcher<Item>({
      concurrency: 2,
      now: Date.now,
      onInterrupted: () => undefined,
      onBatchSettled: () => undefined,
      send: async (batch) => {
        if (batch[0]!.n === 20) throw new Error('ledger gone');
        await new Promise((resolve) => setTimeout(resolve, 20));
        finished++;
        return [];
      },
    });
    await assert.rejects(
      (async () => {
        for (const item of items(60)) await dispatcher.add(item);
        await dispatcher.finish();
      })(),
      /ledger gone/,
    );
    assert.ok(dispatcher.batchesInFlight >= 1, 'the first batch is still in flight when the run fails');
    await dispatcher.settle();
    assert.equal(dispatcher.batchesInFlight, 0);
    assert.ok(finished >= 1, 'the batch in flight finished');
  });

  test('after the abort nothing new is sent: the queue is dropped and the run is interrupted; a send stopped by the abort is no failure', async () => {
    const abort = new AbortController();
    const sent: number[] = [];
    let interruptions = 0;
    const dispatcher = new BatchDispatcher<Item>({
      concurrency: 1,
      abortSignal: abort.signal,
      now: Date.now,
      onInterrupted: () => interruptions++,
      onBatchSettled: () => undefined,
      send: async (batch) => {
        sent.push(batch[0]!.n);
        abort.abort();
        throw abort.signal.reason;
      },
    });
    for (const item of items(30)) await dispatcher.add(item);
    await dispatcher.finish();
    assert.deepEqual(sent, [0]);
    assert.ok(interruptions >= 1);
  });
});
