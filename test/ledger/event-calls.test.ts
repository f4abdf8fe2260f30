import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { EVENT_NAMES } from '../../src/handlers/index.js';
import { eventCallOf, LedgerErrorCode, openLedger, type EventCallRecord, type Ledger } from '../../src/ledger/index.js';
import { LEGACY_ID_FOR_OBJECT_ID_SQL } from '../../src/ledger/event-call.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { ledgerKinds } from '../support/ledger-kinds.js';

const call = (overrides: Partial<EventCallRecord> = {}): EventCallRecord => ({
  at: new Date('2026-12-01T10:00:00.000Z'),
  event: 'OnTokenIssuanceStart',
  correlationId: 'c0000000-0000-4000-8000-000000000001',
  objectId: 'o0000000-0000-4000-8000-000000000001',
  action: 'provideClaimsForToken',
  status: 200,
  reason: 'claims-from-legacy',
  legacyId: '42',
  errorCode: null,
  latencyInMs: 12.5,
  ...overrides,
});

const hasCode = (code: string) => (error: unknown) => {
  assert.equal((error as { code?: string }).code, code, String(error));
  return true;
};

for (const kind of ledgerKinds('event-calls', { memory: true })) {
  const skip = await kind.skip();
  describe(`ledger event calls and the legacy-id look-up: ${kind.name}`, { skip }, () => {
    let ledger: Ledger;
    before(async () => {
      ledger = await openLedger(await kind.url());
    });
    after(async () => {
      await ledger?.close();
      await kind.cleanUp();
    });

    test('records event calls and lists them newest first (by time, then by arrival), every field intact', async () => {
      await ledger.recordEventCall(call());
      await ledger.recordEventCall(call({ at: new Date('2026-12-01T09:00:00.000Z'), event: 'OnOtpSend', correlationId: 'c2', objectId: null, action: 'continueWithDefaultBehavior', reason: 'otp-sent', legacyId: null }));
      await ledger.recordEventCall(
        call({ at: new Date('2026-12-01T11:00:00.000Z'), event: 'OnOtpSend', correlationId: 'c3', objectId: null, action: 'error', status: 502, reason: 'otp-provider-failed', legacyId: null, errorCode: 'OTP_PROVIDER_FAILED', latencyInMs: 0 }),
      );
      await ledger.recordEventCall(call({ at: new Date('2026-12-01T11:00:00.000Z'), event: 'OnAttributeCollectionSubmit', correlationId: 'c4', objectId: null, action: 'modifyAttributeValues', reason: 'migrated-by-sign-up' }));
      const calls = await ledger.listEventCalls();
      assert.deepEqual(calls.map((row) => row.correlationId), ['c4', 'c3', 'c0000000-0000-4000-8000-000000000001', 'c2']);
      assert.deepEqual(calls[2], call());
      assert.deepEqual(calls[1], call({ at: new Date('2026-12-01T11:00:00.000Z'), event: 'OnOtpSend', correlationId: 'c3', objectId: null, action: 'error', status: 502, reason: 'otp-provider-failed', legacyId: null, errorCode: 'OTP_PROVIDER_FAILED', latencyInMs: 0 }));
    });

    test('filters by event and correlation id, and bounds the limit', async () => {
      assert.deepEqual((await ledger.listEventCalls({ event: 'OnOtpSend' })).map((row) => row.correlationId), ['c3', 'c2']);
      assert.deepEqual((await ledger.listEventCalls({ correlationId: 'c2' })).map((row) => row.action), ['continueWithDefaultBehavior']);
      assert.deepEqual(await ledger.listEventCalls({ event: 'OnPasswordSubmit' }), []);
      assert.equal((await ledger.listEventCalls({ limit: 1 })).length, 1);
      assert.equal((await ledger.listEventCalls({ limit: -5 })).length, 4);
      assert.equal((await ledger.listEventCalls({ limit: 2.5 })).length, 4);
    });

    test('counts per event and action, optionally of one event and in a time range', async () => {
      assert.deepEqual(await ledger.countEventCalls(), {
        OnTokenIssuanceStart: { provideClaimsForToken: 1 },
        OnOtpSend: { continueWithDefaultBehavior: 1, error: 1 },
        OnAttributeCollectionSubmit: { modifyAttributeValues: 1 },
      });
      assert.deepEqual(await ledger.countEventCalls({ event: 'OnOtpSend' }), { OnOtpSend: { continueWithDefaultBehavior: 1, error: 1 } });
      assert.deepEqual(await ledger.countEventCalls({ since: new Date('2026-12-01T10:00:00.000Z'), until: new Date('2026-12-01T11:00:00.000Z') }), { OnTokenIssuanceStart: { provideClaimsForToken: 1 } });
      assert.deepEqual(await ledger.countEventCalls({ event: 'OnPasswordSubmit' }), {});
    });

    test('hostile text in an id is stored as text', async () => {
      const correlationId = `'; DROP TABLE event_calls; -- "quoted" \\ ü 😀`;
      await ledger.recordEventCall(call({ correlationId, at: new Date('2026-11-01T00:00:00.000Z') }));
      assert.equal((await ledger.listEventCalls({ correlationId }))[0]!.correlationId, correlationId);
    });

    test('a record that could hold a secret, or is malformed, is refused and nothing is written', async () => {
      const before = (await ledger.listEventCalls({ limit: 10_000 })).length;
      const outcome = { ...call(), errorDetail: 'LegacyStoreError: connection refused' };
      const invalid: unknown[] = [
        outcome, // an EventOutcome as is: errorDetail is for the log line only
        { ...call(), claims: { roles: ['Admin'] } },
        { ...call(), oneTimeCode: '123456' },
        call({ reason: `password ${CANARY_PASSWORDS.correct}` }), // a sentence is not a token
        call({ action: 'x'.repeat(65) }),
        call({ errorCode: 'Bad code with blanks' }),
        call({ errorCode: '' }),
        call({ event: 'OnSomethingElse' as EventCallRecord['event'] }),
        call({ event: 'onotpsend' as EventCallRecord['event'] }),
        call({ correlationId: '' }),
        call({ correlationId: 'x'.repeat(201) }),
        call({ objectId: '' }),
        call({ legacyId: 'a\0b' }),
        call({ status: 200.5 }),
        call({ status: 99 }),
        call({ status: 600 }),
        call({ latencyInMs: -1 }),
        call({ latencyInMs: Number.POSITIVE_INFINITY }),
        call({ at: new Date('not a date') }),
        null,
      ];
      for (const record of invalid) {
        await assert.rejects(ledger.recordEventCall(record as EventCallRecord), (error: Error & { code?: string }) => {
          assert.equal(error.code, LedgerErrorCode.RECORD_INVALID);
          assert.ok(!error.message.includes(CANARY_PASSWORDS.correct) && !error.message.includes('Admin') && !error.message.includes('123456'), error.message);
          return true;
        });
      }
      assert.equal((await ledger.listEventCalls({ limit: 10_000 })).length, before);
    });

    test("eventCallOf keeps an outcome's fields but its error detail", async () => {
      const at = new Date('2026-11-02T00:00:00.000Z');
      const record = eventCallOf({ ...call(), correlationId: 'from-outcome', errorDetail: 'TypeError: boom' }, at);
      assert.ok(!('errorDetail' in record));
      await ledger.recordEventCall(record);
      assert.deepEqual((await ledger.listEventCalls({ correlationId: 'from-outcome' }))[0], call({ correlationId: 'from-outcome', at }));
    });

    test('invalid filters are refused, not read as "everything"', async () => {
      await assert.rejects(ledger.listEventCalls({ event: 'Nope' as EventCallRecord['event'] }), hasCode(LedgerErrorCode.RECORD_INVALID));
      await assert.rejects(ledger.listEventCalls({ correlationId: '' }), hasCode(LedgerErrorCode.RECORD_INVALID));
      await assert.rejects(ledger.countEventCalls({ since: new Date('nope') }), hasCode(LedgerErrorCode.RECORD_INVALID));
    });

    test('every event name is accepted', async () => {
      for (const event of EVENT_NAMES) await ledger.recordEventCall(call({ event, correlationId: `every-${event}`, at: new Date('2026-10-01T00:00:00.000Z') }));
      for (const event of EVENT_NAMES) assert.equal((await ledger.listEventCalls({ correlationId: `every-${event}` }))[0]!.event, event);
    });

    test('legacyIdForObjectId: the legacy id premigrate recorded for an Entra user, else null', async () => {
      const at = new Date('2026-11-24T12:00:00.000Z');
      await ledger.recordAccount({ legacyId: 'L-7', email: 'ada@example.com', state: 'created', entraObjectId: 'oid-ada', reason: null, updatedAt: at });
      await ledger.recordAccount({ legacyId: 'L-8', email: 'tim@example.com', state: 'existing', entraObjectId: 'oid-tim', reason: null, updatedAt: at });
      await ledger.recordAccount({ legacyId: 'L-9', email: 'new@example.com', state: 'pending', entraObjectId: null, reason: null, updatedAt: at });
      assert.equal(await ledger.legacyIdForObjectId('oid-ada'), 'L-7');
      assert.equal(await ledger.legacyIdForObjectId('oid-tim'), 'L-8');
      assert.equal(await ledger.legacyIdForObjectId('oid-nobody'), null);
      assert.equal(await ledger.legacyIdForObjectId("' OR 1=1 --"), null);
      await assert.rejects(ledger.legacyIdForObjectId(''), hasCode(LedgerErrorCode.RECORD_INVALID));
      await assert.rejects(ledger.legacyIdForObjectId('x'.repeat(201)), hasCode(LedgerErrorCode.RECORD_INVALID));
      await assert.rejects(ledger.legacyIdForObjectId(42 as unknown as string), hasCode(LedgerErrorCode.RECORD_INVALID));
    });

    test('a closed ledger refuses the new methods', async () => {
      const second = await openLedger(await kind.url());
      await second.close();
      await assert.rejects(second.recordEventCall(call()), hasCode(LedgerErrorCode.UNAVAILABLE));
      await assert.rejects(second.legacyIdForObjectId('oid-ada'), hasCode(LedgerErrorCode.UNAVAILABLE));
    });
  });
}

describe('ledger migration 006: its queries use its indexes (SQLite)', () => {
  let dir: string;
  let db: Database.Database;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'event-calls-'));
    await (await openLedger(`sqlite://${join(dir, 'ledger.db')}`)).close();
    db = new Database(join(dir, 'ledger.db'), { readonly: true });
  });
  after(async () => {
    db?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const planOf = (sql: string, ...values: unknown[]) => db.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all(...values).map((row) => row.detail).join('\n');

  test('the newest calls, of all events or of one, walk an index without sorting', () => {
    assert.match(planOf('SELECT * FROM event_calls ORDER BY at DESC, id DESC LIMIT ?', 10), /SCAN event_calls USING INDEX event_calls_at/);
    const one = planOf('SELECT * FROM event_calls WHERE event = ? ORDER BY at DESC, id DESC LIMIT ?', 'OnOtpSend', 10);
    assert.match(one, /SEARCH event_calls USING INDEX event_calls_event_at \(event=\?\)/);
    assert.doesNotMatch(one, /TEMP B-TREE/);
  });

  test('a correlation id and an object id are index look-ups', () => {
    assert.match(planOf('SELECT * FROM event_calls WHERE correlation_id = ? ORDER BY at DESC, id DESC LIMIT ?', 'c', 10), /SEARCH event_calls USING INDEX event_calls_correlation_id \(correlation_id=\?\)/);
    assert.match(planOf(LEGACY_ID_FOR_OBJECT_ID_SQL('?'), 'oid'), /SEARCH premigration_accounts USING INDEX premigration_accounts_entra_object_id \(entra_object_id=\?\)/);
  });
});
