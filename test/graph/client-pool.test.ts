import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createGraphClientPool, type BatchRequest, type BatchResponse, type GraphBatchClient } from '../../src/graph/index.js';

/** A client that answers after `release()` is called, counting what it received. */
function heldClient(name: string) {
  const waiting: Array<() => void> = [];
  let received = 0;
  const client: GraphBatchClient = {
    async send(requests: readonly BatchRequest[]): Promise<BatchResponse[]> {
      received++;
      await new Promise<void>((resolve) => waiting.push(resolve));
      return requests.map((request) => ({ id: request.id, status: 200, headers: { 'x-client': name }, body: null }));
    },
  };
  return { client, received: () => received, release: () => waiting.splice(0).forEach((resolve) => resolve()) };
}

const request: BatchRequest = { id: '1', method: 'GET', url: '/users' };

describe('Graph client pool', () => {
  test('one client is used as it is; none is refused', () => {
    const only = heldClient('a').client;
    assert.equal(createGraphClientPool([only]), only);
    assert.throws(() => createGraphClientPool([]), RangeError);
  });

  test('takes turns while the clients are equally busy, and answers from the client that sent', async () => {
    const clients = [heldClient('a'), heldClient('b'), heldClient('c')];
    const pool = createGraphClientPool(clients.map((held) => held.client));
    const sends = Array.from({ length: 6 }, () => pool.send([request]));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(clients.map((held) => held.received()), [2, 2, 2]);
    clients.forEach((held) => held.release());
    const names = (await Promise.all(sends)).map((answers) => answers[0]!.headers['x-client']);
    assert.deepEqual(names, ['a', 'b', 'c', 'a', 'b', 'c']);
  });

  test("the caller's abort signal reaches the client that sends", async () => {
    const seen: Array<AbortSignal | undefined> = [];
    const recording = (): GraphBatchClient => ({
      async send(requests, options) {
        seen.push(options?.abortSignal);
        return requests.map((entry) => ({ id: entry.id, status: 200, headers: {}, body: null }));
      },
    });
    const pool = createGraphClientPool([recording(), recording()]);
    const stop = new AbortController();
    await pool.send([request], { abortSignal: stop.signal });
    await pool.send([request]);
    assert.deepEqual(seen, [stop.signal, undefined]);
  });

  test('a client that holds its batches (throttled) receives no more while another has fewer in flight', async () => {
    const slow = heldClient('slow');
    const fast = heldClient('fast');
    const pool = createGraphClientPool([slow.client, fast.client]);
    const held = pool.send([request]); // to slow, which keeps it
    for (let i = 0; i < 4; i++) {
      const sent = pool.send([request]);
      await new Promise((resolve) => setImmediate(resolve));
      fast.release();
      assert.equal((await sent)[0]!.headers['x-client'], 'fast');
    }
    assert.equal(slow.received(), 1);
    assert.equal(fast.received(), 4);
    slow.release();
    await held;
  });
});
