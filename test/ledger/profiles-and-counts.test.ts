import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LedgerErrorCode, openLedger, type DecisionAction, type Ledger } from '../../src/ledger/index.js';
import { ledgerKinds } from '../support/ledger-kinds.js';

const KINDS = ledgerKinds('profiles_test');


const day = (iso: string) => new Date(`2026-11-${iso}Z`);

for (const kind of KINDS) {
  const skip = await kind.skip();
  describe(`ledger profiles and decision counts: ${kind.name}`, { skip }, () => {
    let ledger: Ledger;
    before(async () => {
      ledger = await openLedger(await kind.url());
      const decisions: [string, DecisionAction][] = [
        ['24T23:59:59.999', 'MigratePassword'],
        ['25T00:00:00.000', 'MigratePassword'],
        ['25T12:00:00.000', 'Retry'],
        ['25T23:59:59.999', 'MigratePassword'],
        ['26T00:00:00.000', 'MigratePassword'],
      ];
      for (const [i, [at, action]] of decisions.entries()) {
        await ledger.recordDecision({ at: day(at), correlationId: `c-${i}`, objectId: `oid-${i}`, legacyId: `l-${i}`, action, reason: 'test', latencyInMs: 5 });
      }
    });
    after(async () => {
      await ledger?.close();
      await kind.cleanUp();
    });

    test('counts decisions of one action in a half-open time range', async () => {
      assert.equal(await ledger.countDecisions(), 5);
      assert.equal(await ledger.countDecisions({ action: 'MigratePassword' }), 4);
      assert.equal(await ledger.countDecisions({ action: 'MigratePassword', since: day('25T00:00:00.000'), until: day('26T00:00:00.000') }), 2);
      assert.equal(await ledger.countDecisions({ since: day('25T00:00:00.000') }), 4);
      assert.equal(await ledger.countDecisions({ action: 'Block' }), 0);
    });

    test('refuses an invalid count rather than counting everything', async () => {
      await assert.rejects(ledger.countDecisions({ since: new Date('nonsense') }), { code: LedgerErrorCode.RECORD_INVALID });
      await assert.rejects(ledger.countDecisions({ action: "MigratePassword' OR 1=1 --" as DecisionAction }), { code: LedgerErrorCode.RECORD_INVALID });
    });

    test('records a profile, replaces it, and reads profiles back by legacy id', async () => {
      await ledger.recordProfile({ legacyId: 'p-1', fingerprint: 'a'.repeat(64), enabled: true, syncedAt: day('25T10:00:00.000') });
      await ledger.recordProfile({ legacyId: 'p-2', fingerprint: 'b'.repeat(64), enabled: true, syncedAt: day('25T10:00:00.000') });
      await ledger.recordProfile({ legacyId: 'p-1', fingerprint: 'c'.repeat(64), enabled: false, syncedAt: day('26T10:00:00.000') });
      const profiles = await ledger.profiles(['p-1', 'p-2', 'p-absent']);
      assert.deepEqual([...profiles.keys()].sort(), ['p-1', 'p-2']);
      assert.deepEqual(profiles.get('p-1'), { legacyId: 'p-1', fingerprint: 'c'.repeat(64), enabled: false, syncedAt: day('26T10:00:00.000') });
      assert.equal(profiles.get('p-2')!.enabled, true);
    });

    test('reads profiles of more accounts than one query takes', async () => {
      const ids = Array.from({ length: 1203 }, (_, i) => `bulk-${String(i).padStart(4, '0')}`);
      for (const legacyId of ids.filter((_, i) => i % 2 === 0)) await ledger.recordProfile({ legacyId, fingerprint: 'f0', enabled: true, syncedAt: day('25T10:00:00.000') });
      const profiles = await ledger.profiles(ids);
      assert.equal(profiles.size, 602);
      assert.ok(profiles.has('bulk-1202'));
      assert.equal((await ledger.profiles([])).size, 0);
    });

    test('refuses malformed profiles and writes nothing', async () => {
      const valid = { legacyId: 'p-bad', fingerprint: 'ab', enabled: true, syncedAt: day('25T10:00:00.000') };
      for (const bad of [
        { ...valid, legacyId: '' },
        { ...valid, legacyId: 'x'.repeat(201) },
        { ...valid, fingerprint: 'not a digest' },
        { ...valid, fingerprint: 'a'.repeat(129) },
        { ...valid, enabled: 'yes' as unknown as boolean },
        { ...valid, syncedAt: new Date('nonsense') },
      ]) {
        await assert.rejects(ledger.recordProfile(bad), { code: LedgerErrorCode.RECORD_INVALID });
      }
      assert.equal((await ledger.profiles(['p-bad', ''])).size, 0);
    });
  });
}
