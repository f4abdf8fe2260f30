import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GraphBatchClient } from '../../../src/graph/index.js';
import { openLedger } from '../../../src/ledger/index.js';
import { emptySummary } from '../../../src/bulk/premigrate-summary.js';
import { earlierRun } from '../../../src/bulk/steps/earlier-run.js';
import { pendingAccount } from '../../../src/bulk/steps/pending-account.js';
import { accountRecords } from '../../../src/bulk/steps/record-accounts.js';
import type { LegacyRecord } from '../../../src/bulk/legacy-record.js';

const AT = Date.parse('2026-12-01T10:00:00Z');
const record = (id: string): LegacyRecord => ({ id, email: `${id}@legacy.example`, displayName: id, givenName: null, surname: null, password: null, phone: null, extra: {} });
/** No method is wanted in these tests: Graph must not be called. */
const noGraph: GraphBatchClient = { send: () => Promise.reject(new Error('Graph was called')) } as unknown as GraphBatchClient;

async function withLedger(run: (ledger: Awaited<ReturnType<typeof openLedger>>) => Promise<void>) {
  const ledger = await openLedger('memory:');
  try {
    await run(ledger);
  } finally {
    await ledger.close();
  }
}

describe('accountRecords, against the memory ledger', () => {
  test('pending, then created or existing with the object id; counted; an earlier run then reads as done or pending', () =>
    withLedger(async (ledger) => {
      const summary = emptySummary();
      const records = accountRecords({ ledger, now: () => AT, graph: noGraph, summary, methods: {}, maxAttempts: 8 });
      const [ada, bob, carl] = [pendingAccount(record('ada'), 1, { uncertain: false }), pendingAccount(record('bob'), 2, { uncertain: false }), pendingAccount(record('carl'), 3, { uncertain: false })];
      for (const account of [ada, bob, carl]) await records.pending(account);
      assert.deepEqual(await ledger.countAccounts(), { pending: 3 });
      await records.inEntra([{ account: ada, objectId: 'oid-ada', state: 'created' }, { account: bob, objectId: 'oid-bob', state: 'existing' }]);

      const stored = await ledger.accountState('ada');
      assert.equal(stored?.state, 'created');
      assert.equal(stored?.entraObjectId, 'oid-ada');
      assert.equal(stored?.email, 'ada@legacy.example');
      assert.equal(stored?.updatedAt.getTime(), AT);
      assert.equal((await ledger.accountState('bob'))?.state, 'existing');
      assert.equal(summary.created, 1);
      assert.equal(summary.existing, 1);
      assert.deepEqual(summary.failures, []);

      assert.equal(await earlierRun(ledger, 'ada'), 'done');
      assert.equal(await earlierRun(ledger, 'bob'), 'done');
      assert.equal(await earlierRun(ledger, 'carl'), 'pending');
      assert.equal(await earlierRun(ledger, 'nobody'), 'none');
    }));

  test('a failure is counted and listed with its line; the ledger keeps its reason, cut at 1,000 characters; a failed account is sent again by a later run', () =>
    withLedger(async (ledger) => {
      const summary = emptySummary();
      const records = accountRecords({ ledger, now: () => AT, graph: noGraph, summary, methods: {}, maxAttempts: 8 });
      const reason = `HTTP 400 Request_BadRequest: ${'x'.repeat(2000)}`;
      await records.failed(pendingAccount(record('ada'), 9, { uncertain: false }), reason);

      assert.equal(summary.failed, 1);
      assert.deepEqual(summary.failures, [{ legacyId: 'ada', reason, line: 9 }]);
      const stored = await ledger.accountState('ada');
      assert.equal(stored?.state, 'failed');
      assert.equal(stored?.entraObjectId, null);
      assert.equal(stored?.reason, reason.slice(0, 1000));
      assert.equal(await earlierRun(ledger, 'ada'), 'none');
    }));

  test('a ledger that fails fails the step (the run then stops and reports it)', async () => {
    const summary = emptySummary();
    const ledger = await openLedger('memory:');
    await ledger.close();
    const records = accountRecords({ ledger, now: () => AT, graph: noGraph, summary, methods: {}, maxAttempts: 8 });
    const ada = pendingAccount(record('ada'), 1, { uncertain: false });
    await assert.rejects(records.pending(ada), (error: Error & { code?: string }) => error.code === 'LEDGER_UNAVAILABLE');
    await assert.rejects(records.inEntra([{ account: ada, objectId: 'oid-ada', state: 'created' }]));
  });
});
