import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { premigrate, type SourceRow } from '../../src/bulk/index.js';
import { nextUnlessAborted } from '../../src/bulk/next-unless-aborted.js';
import type { GraphBatchClient } from '../../src/graph/index.js';
import { openLedger } from '../../src/ledger/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Graph answering every lookup "no such user": a dry run then only reads, looks up and counts. */
const emptyDirectory: GraphBatchClient = {
  send: async (requests) => requests.map((request) => ({ id: request.id, status: 200, headers: {}, body: { value: [] } })),
};

describe('premigrate keeps no row once it is handled', () => {
  // Premigrate streams millions of accounts: memory must not grow with the accounts read. Racing each row against one
  // long-lived "aborted" promise kept every row reachable until the run ended (peak RSS +73 MB at 100,000 accounts).
  test('rows read long ago can be collected while the run goes on', async () => {
    const ROWS = 3000;
    const rows: Array<WeakRef<object>> = [];
    let aliveOfTheFirstThousand = -1;
    async function* source(): AsyncGenerator<SourceRow> {
      for (let i = 0; i < ROWS; i++) {
        if (i === ROWS - 100) {
          // A WeakRef keeps its target until the job that made it ends: let the microtasks drain before collecting.
          await new Promise((resolve) => setTimeout(resolve, 10));
          gc();
          aliveOfTheFirstThousand = rows.slice(0, 1000).filter((ref) => ref.deref() !== undefined).length;
        }
        const row = { id: `m-${i}`, email: `m${i}@legacy.example`, display_name: `Memory ${i}` };
        rows.push(new WeakRef(row));
        yield { line: i + 1, row };
      }
    }
    const ledger = await openLedger('memory:');
    try {
      const summary = await premigrate({
        source: source(),
        ledger,
        graph: emptyDirectory,
        userBody: { tenantDomain: 'contoso.onmicrosoft.com', flagAttribute: 'extension_3c5e2a1b8f4d4b6a9e7c1d2f3a4b5c6d_toBeMigrated' },
        dryRun: true,
        abortSignal: new AbortController().signal,
      });
      assert.equal(summary.wouldCreate, ROWS);
    } finally {
      await ledger.close();
    }
    // Before the fix all 1,000 stayed reachable. V8 may still hold the odd object through a register or an inline
    // cache at the moment of collection (seen: 1 in a loaded run), which says nothing about retention.
    assert.ok(aliveOfTheFirstThousand >= 0 && aliveOfTheFirstThousand < 10, `${aliveOfTheFirstThousand} of 1,000 rows handled long ago are still reachable`);
  });

  test('each row listens for the abort only until it arrives; an abort answers at once', async () => {
    const controller = new AbortController();
    let served = 0;
    const rows: AsyncIterator<number> = { next: async () => ({ done: false, value: served++ }) };
    for (let i = 0; i < 1000; i++) assert.deepEqual(await nextUnlessAborted(rows, controller.signal), { done: false, value: i });
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);

    let failLate: (error: Error) => void = () => undefined;
    const stuck: AsyncIterator<number> = { next: () => new Promise((_, reject) => (failLate = reject)) };
    const pending = nextUnlessAborted(stuck, controller.signal);
    controller.abort();
    assert.equal(await pending, 'aborted');
    failLate(new Error('the source failed after the stop')); // absorbed: never an unhandled rejection
    assert.equal(await nextUnlessAborted(rows, controller.signal), 'aborted', 'aborted before the call: no row is read');
    assert.equal(served, 1000);
  });
});
