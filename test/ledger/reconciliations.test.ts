import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LEDGER_SCHEMA_VERSION, LedgerErrorCode, openLedger, type Ledger } from '../../src/ledger/index.js';
import { ledgerKinds } from '../support/ledger-kinds.js';

const KINDS = ledgerKinds('reconcile_test');


const at = new Date('2026-11-24T12:00:00.000Z');
const later = new Date('2026-11-24T13:00:00.000Z');

for (const kind of KINDS) {
  const skip = await kind.skip();
  describe(`ledger reconciliations: ${kind.name}`, { skip }, () => {
    let ledger: Ledger;
    before(async () => {
      ledger = await openLedger(await kind.url());
      for (const [legacyId, state, objectId] of [
        ['a', 'created', 'oid-a'],
        ['b', 'existing', 'oid-b'],
        ['c', 'created', 'oid-c'],
        ['d', 'failed', null],
        ['e', 'pending', null],
        ['f', 'created', 'oid-f'],
        ['B', 'created', 'oid-B'],
      ] as const) {
        await ledger.recordAccount({ legacyId, email: `${legacyId}@example.com`, state, entraObjectId: objectId, reason: state === 'failed' ? 'Request_BadRequest' : null, updatedAt: at });
      }
    });
    after(async () => {
      await ledger?.close();
      await kind.cleanUp();
    });

    test('the schema is at version 3 or later', () => {
      assert.ok(LEDGER_SCHEMA_VERSION >= 3);
    });

    test('lists only pre-created accounts with an object id, in byte order, by keyset pages', async () => {
      const all = await ledger.listToReconcile();
      assert.deepEqual(all.map((account) => account.legacyId), ['B', 'a', 'b', 'c', 'f']);
      assert.deepEqual(all[1], { legacyId: 'a', objectId: 'oid-a', preCreatedAt: at, earlier: null });
      const first = await ledger.listToReconcile({ limit: 2 });
      const second = await ledger.listToReconcile({ limit: 2, after: first.at(-1)!.legacyId });
      assert.deepEqual([...first, ...second].map((account) => account.legacyId), ['B', 'a', 'b', 'c']);
    });

    test('confirmed accounts leave the listing; open ones stay; unmarked ones come back with `unmarked` until marked', async () => {
      await ledger.recordReconciliation({ legacyId: 'a', objectId: 'oid-a', confirmation: 'migrated-by-extension', confirmedAt: later, lastPasswordChangeAt: at, checkedAt: later });
      await ledger.recordReconciliation({ legacyId: 'b', objectId: 'oid-b', confirmation: 'not-applied', confirmedAt: null, lastPasswordChangeAt: null, checkedAt: later });
      await ledger.recordReconciliation({ legacyId: 'c', objectId: 'oid-c', confirmation: 'released-by-cutover', confirmedAt: null, lastPasswordChangeAt: null, checkedAt: later });
      await ledger.recordReconciliation({ legacyId: 'f', objectId: 'oid-f', confirmation: 'pending', confirmedAt: null, lastPasswordChangeAt: null, checkedAt: later });
      assert.deepEqual((await ledger.listToReconcile()).map((account) => account.legacyId), ['B', 'b', 'f']);
      const withUnmarked = await ledger.listToReconcile({ unmarked: true });
      assert.deepEqual(withUnmarked.map((account) => account.legacyId), ['B', 'a', 'b', 'f']);
      assert.deepEqual(withUnmarked[1]!.earlier, {
        legacyId: 'a', objectId: 'oid-a', confirmation: 'migrated-by-extension', confirmedAt: later, lastPasswordChangeAt: at, checkedAt: later, mark: { doneAt: null, error: null },
      });

      await ledger.recordMark('a', { error: 'legacy store down\nsecond line' });
      assert.deepEqual((await ledger.reconciliation('a'))!.mark, { doneAt: null, error: 'legacy store down second line' });
      // A later reconciliation keeps the mark as it was.
      await ledger.recordReconciliation({ legacyId: 'a', objectId: 'oid-a', confirmation: 'migrated-by-extension', confirmedAt: later, lastPasswordChangeAt: at, checkedAt: later });
      assert.equal((await ledger.reconciliation('a'))!.mark.error, 'legacy store down second line');
      await ledger.recordMark('a', { doneAt: later });
      assert.deepEqual((await ledger.reconciliation('a'))!.mark, { doneAt: later, error: null });
      assert.deepEqual((await ledger.listToReconcile({ unmarked: true })).map((account) => account.legacyId), ['B', 'b', 'f']);
      assert.deepEqual(await ledger.countReconciliations(), { 'migrated-by-extension': 1, 'not-applied': 1, 'released-by-cutover': 1, pending: 1 });
      assert.equal(await ledger.reconciliation('nobody'), undefined);
    });

    test('MigratePassword answers per user: the latest time and the correlation ids, other actions ignored', async () => {
      const decision = (objectId: string, correlationId: string, action: 'MigratePassword' | 'Retry', minutes: number) =>
        ledger.recordDecision({ at: new Date(at.getTime() + minutes * 60_000), correlationId, objectId, legacyId: null, action, reason: 'password-correct', latencyInMs: 1 });
      await decision('oid-x', 'c1', 'MigratePassword', 1);
      await decision('oid-x', 'c2', 'MigratePassword', 5);
      await decision('oid-x', 'c3', 'Retry', 9);
      await decision('oid-y', 'c4', 'Retry', 2);
      const answers = await ledger.migratePasswordAnswers(['oid-x', 'oid-y', 'oid-z']);
      assert.deepEqual([...answers.keys()], ['oid-x']);
      assert.deepEqual(answers.get('oid-x'), { lastAt: new Date(at.getTime() + 5 * 60_000), correlationIds: ['c2', 'c1'] });
      assert.equal((await ledger.migratePasswordAnswers([])).size, 0);
    });

    test('invalid reconciliations and marks are refused, nothing written', async () => {
      const good = { legacyId: 'z', objectId: 'oid-z', confirmation: 'pending' as const, confirmedAt: null, lastPasswordChangeAt: null, checkedAt: later };
      for (const bad of [{ confirmation: 'migrated' }, { legacyId: '' }, { objectId: 'x'.repeat(201) }, { checkedAt: new Date(Number.NaN) }, { confirmedAt: 'yesterday' }]) {
        await assert.rejects(ledger.recordReconciliation({ ...good, ...bad } as never), (error: { code?: string }) => error.code === LedgerErrorCode.RECORD_INVALID);
      }
      await assert.rejects(ledger.recordMark('', { doneAt: later }), (error: { code?: string }) => error.code === LedgerErrorCode.RECORD_INVALID);
      await assert.rejects(ledger.recordMark('a', { doneAt: new Date(Number.NaN) }), (error: { code?: string }) => error.code === LedgerErrorCode.RECORD_INVALID);
      assert.equal(await ledger.reconciliation('z'), undefined);
    });
  });
}
