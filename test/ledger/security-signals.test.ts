import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { LedgerErrorCode, openLedger, type Ledger, type SecuritySignalRecord } from '../../src/ledger/index.js';
import { ledgerKinds } from '../support/ledger-kinds.js';

const signal = (overrides: Partial<SecuritySignalRecord> = {}): SecuritySignalRecord => ({
  at: new Date('2026-12-03T10:00:00.000Z'),
  kind: 'credential-stuffing',
  state: 'raised',
  attempts: 240,
  wrong: 231,
  thresholdPercent: 80,
  mode: 'observe',
  ...overrides,
});

for (const kind of ledgerKinds('security-signals', { memory: true })) {
  describe(`security signals (${kind.name})`, { skip: await kind.skip() }, () => {
    let ledger: Ledger;
    after(async () => {
      await ledger?.close();
      await kind.cleanUp();
    });

    test('a signal raised and ended is kept with its figures, newest first', async () => {
      ledger = await openLedger(await kind.url());
      await ledger.recordSecuritySignal(signal());
      await ledger.recordSecuritySignal(signal({ at: new Date('2026-12-03T10:07:00.000Z'), state: 'ended', attempts: 90, wrong: 12, mode: 'observe' }));
      const listed = await ledger.listSecuritySignals();
      assert.deepEqual(listed, [signal({ at: new Date('2026-12-03T10:07:00.000Z'), state: 'ended', attempts: 90, wrong: 12 }), signal()]);
      assert.equal((await ledger.listSecuritySignals({ limit: 1 })).length, 1);
    });

    test('a signal with a field it must not hold, an unknown kind or impossible figures is refused before any write', async () => {
      const before = (await ledger.listSecuritySignals()).length;
      const invalid: unknown[] = [
        { ...signal(), username: 'ada@contoso.example' },
        signal({ kind: 'something-else' as SecuritySignalRecord['kind'] }),
        signal({ state: 'maybe' as SecuritySignalRecord['state'] }),
        signal({ wrong: 241 }),
        signal({ attempts: -1 }),
        signal({ attempts: 1.5 }),
        signal({ thresholdPercent: 0 }),
        signal({ mode: 'panic' as SecuritySignalRecord['mode'] }),
        signal({ at: new Date('not a date') }),
        null,
      ];
      for (const record of invalid) {
        await assert.rejects(ledger.recordSecuritySignal(record as SecuritySignalRecord), (error: { code?: string; message?: string }) => {
          assert.equal(error.code, LedgerErrorCode.RECORD_INVALID, String(error));
          assert.ok(!String(error.message).includes('ada@contoso.example'), 'a refused field is not quoted');
          return true;
        });
      }
      assert.equal((await ledger.listSecuritySignals()).length, before);
    });
  });
}
