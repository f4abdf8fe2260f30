import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sourceRows } from '../../../src/bulk/steps/source-rows.js';

/** A source that counts how often it was closed, and can hang on a row. */
function countedSource(count: number, options: { hangAt?: number } = {}) {
  const state = { closed: 0 };
  const source: AsyncIterable<number> = {
    [Symbol.asyncIterator]() {
      let i = 0;
      return {
        next: () => (i === options.hangAt ? new Promise<IteratorResult<number>>(() => undefined) : Promise.resolve(i < count ? { value: i++, done: false } : { value: undefined, done: true })),
        return: async () => {
          state.closed++;
          return { value: undefined, done: true };
        },
      };
    },
  };
  return { source, state };
}

describe('sourceRows', () => {
  test('every row in order; a source read to its end is not closed again', async () => {
    const { source, state } = countedSource(5);
    const rows: number[] = [];
    for await (const row of sourceRows(source, undefined, () => assert.fail('not stopped'))) rows.push(row);
    assert.deepEqual(rows, [0, 1, 2, 3, 4]);
    assert.equal(state.closed, 0);
  });

  test('an abort while the source holds back a row ends the rows at once, says so, and closes the source', async () => {
    const { source, state } = countedSource(10, { hangAt: 3 });
    const abort = new AbortController();
    let stopped = 0;
    const rows: number[] = [];
    for await (const row of sourceRows(source, abort.signal, () => stopped++)) {
      rows.push(row);
      if (row === 2) setTimeout(() => abort.abort(), 5);
    }
    assert.deepEqual(rows, [0, 1, 2]);
    assert.equal(stopped, 1);
    assert.equal(state.closed, 1);
  });

  test('a reader that leaves early, or fails, closes the source', async () => {
    const { source, state } = countedSource(10);
    for await (const row of sourceRows(source, undefined, () => undefined)) if (row === 1) break;
    assert.equal(state.closed, 1);
    const failing = countedSource(10);
    await assert.rejects(async () => {
      for await (const row of sourceRows(failing.source, undefined, () => undefined)) if (row === 1) throw new Error('ledger gone');
    }, /ledger gone/);
    assert.equal(failing.state.closed, 1);
  });
});
