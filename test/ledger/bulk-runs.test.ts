import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { LedgerErrorCode, MAX_BULK_RUN_COUNTS, openLedger, type BulkRunRecord, type DecisionRecord, type Ledger } from '../../src/ledger/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { ledgerKinds } from '../support/ledger-kinds.js';
import { SERVICES, skipUnlessService } from '../support/services.js';

const run = (overrides: Partial<BulkRunRecord> = {}): BulkRunRecord => ({
  id: '0b9d6a52-6a4f-4f8e-9c3a-2d1e0f4b5a61',
  command: 'premigrate',
  startedAt: new Date('2026-12-03T08:00:00.125Z'),
  finishedAt: null,
  outcome: 'running',
  dryRun: false,
  counts: { read: 120, created: 100, existing: 15, failed: 5 },
  graphRequests: 140,
  throttled: 3,
  budgetPerSecond: 16.5,
  ...overrides,
});

const decision = (overrides: Partial<DecisionRecord> = {}): DecisionRecord => ({
  at: new Date('2026-12-03T09:00:00.000Z'),
  correlationId: 'c0000000-0000-4000-8000-000000000001',
  objectId: 'o0000000-0000-4000-8000-000000000001',
  legacyId: '42',
  action: 'MigratePassword',
  reason: 'password-correct',
  latencyInMs: 87.5,
  ...overrides,
});

const hasCode = (code: string) => (error: unknown) => {
  assert.equal((error as { code?: string }).code, code, String(error));
  return true;
};

for (const kind of ledgerKinds('bulk-runs', { memory: true })) {
  const skip = await kind.skip();
  describe(`ledger bulk runs and legacy latency: ${kind.name}`, { skip }, () => {
    let ledger: Ledger;
    before(async () => {
      ledger = await openLedger(await kind.url());
    });
    after(async () => {
      await ledger?.close();
      await kind.cleanUp();
    });

    test('a run recorded at start, rewritten as it goes and at the end, is one run with its last state, every field intact', async () => {
      assert.deepEqual(await ledger.listBulkRuns(), []);
      await ledger.recordBulkRun(run({ counts: {}, graphRequests: 0, throttled: 0 }));
      await ledger.recordBulkRun(run());
      assert.deepEqual(await ledger.listBulkRuns(), [run()]);
      const finished = run({ finishedAt: new Date('2026-12-03T08:20:00.500Z'), outcome: 'completed', counts: { read: 1000, created: 990, failed: 10 }, graphRequests: 1003 });
      await ledger.recordBulkRun(finished);
      assert.deepEqual(await ledger.listBulkRuns(), [finished]);
    });

    test('runs list newest start first (the id breaking a tie), dry runs and unpaced runs read back as written, the limit bounded', async () => {
      const dry = run({ id: randomUUID(), command: 'reconcile', startedAt: new Date('2026-12-03T09:00:00Z'), dryRun: true, budgetPerSecond: null, counts: { checked: 0 } });
      const older = run({ id: randomUUID(), command: 'cutover', startedAt: new Date('2026-12-01T09:00:00Z'), finishedAt: new Date('2026-12-01T09:00:01Z'), outcome: 'interrupted' });
      const sameStartA = run({ id: '00000000-0000-4000-8000-00000000000a', command: 'premigrate-sync', startedAt: new Date('2026-12-02T09:00:00Z'), finishedAt: new Date('2026-12-02T09:00:00Z'), outcome: 'failed' });
      const sameStartB = run({ ...sameStartA, id: '00000000-0000-4000-8000-00000000000b' });
      for (const each of [older, dry, sameStartA, sameStartB]) await ledger.recordBulkRun(each);
      const listed = await ledger.listBulkRuns();
      assert.deepEqual(listed.map((each) => each.id), [dry.id, run().id, sameStartB.id, sameStartA.id, older.id]);
      assert.deepEqual(listed[0], dry);
      assert.deepEqual(listed.at(-1), older);
      assert.equal((await ledger.listBulkRuns({ limit: 2 })).length, 2);
      for (const limit of [0, -1, 1.5, Number.NaN]) assert.equal((await ledger.listBulkRuns({ limit })).length, 5, String(limit));
    });

    test('an upper-case UUID is the same run as its lower-case form', async () => {
      const id = randomUUID();
      await ledger.recordBulkRun(run({ id: id.toUpperCase(), startedAt: new Date('2026-11-01T00:00:00Z') }));
      await ledger.recordBulkRun(run({ id, startedAt: new Date('2026-11-01T00:00:00Z'), throttled: 9 }));
      const matching = (await ledger.listBulkRuns({ limit: 1000 })).filter((each) => each.id === id);
      assert.deepEqual(matching.map((each) => each.throttled), [9]);
    });

    test('malformed and hostile runs are refused with LEDGER_RECORD_INVALID and nothing is written', async () => {
      const before = await ledger.listBulkRuns({ limit: 1000 });
      const manyCounts = Object.fromEntries(Array.from({ length: MAX_BULK_RUN_COUNTS + 1 }, (_, i) => [`c${i}`, i]));
      const invalid: Array<Record<string, unknown>> = [
        { id: 'not-a-uuid' },
        { id: "0b9d6a52-6a4f-4f8e-9c3a-2d1e0f4b5a61'; DROP TABLE bulk_runs; --" },
        { id: 42 },
        { command: 'setup' },
        { outcome: 'done' },
        { startedAt: new Date('nope') },
        { startedAt: '2026-12-03T08:00:00Z' },
        { finishedAt: new Date('2026-12-03T08:20:00Z') }, // running, yet finished
        { outcome: 'completed' }, // ended, yet no finishedAt
        { outcome: 'completed', finishedAt: new Date('2026-12-03T07:59:59Z') }, // before it started
        { dryRun: 'false' },
        { counts: null },
        { counts: [1, 2] },
        { counts: new Map([['read', 1]]) },
        { counts: { 'not a token': 1 } },
        { counts: { 'read; DROP': 1 } },
        { counts: { _proto: 1 } },
        { counts: { ['x'.repeat(65)]: 1 } },
        { counts: { read: -1 } },
        { counts: { read: Number.POSITIVE_INFINITY } },
        { counts: { read: Number.NaN } },
        { counts: { read: '12' } },
        { counts: { password: CANARY_PASSWORDS.correct } },
        { counts: manyCounts },
        { graphRequests: -1 },
        { graphRequests: 1.5 },
        { throttled: Number.NaN },
        { budgetPerSecond: -2 },
        { budgetPerSecond: Number.POSITIVE_INFINITY },
        { error: `Graph said ${CANARY_PASSWORDS.correct}` }, // a field that is not the record's: refused, not trimmed
      ];
      for (const overrides of invalid) {
        await assert.rejects(ledger.recordBulkRun({ ...run({ id: randomUUID() }), ...overrides } as BulkRunRecord), hasCode(LedgerErrorCode.RECORD_INVALID), JSON.stringify(overrides, (_, v: unknown) => (v instanceof Map ? 'Map' : v)).slice(0, 80));
      }
      await assert.rejects(ledger.recordBulkRun(null as never), hasCode(LedgerErrorCode.RECORD_INVALID));
      await assert.rejects(ledger.recordBulkRun(run({ counts: JSON.parse('{"__proto__": 1}') as Record<string, number> })), hasCode(LedgerErrorCode.RECORD_INVALID));
      assert.deepEqual(await ledger.listBulkRuns({ limit: 1000 }), before);
      // The refusal says what is wrong, never echoes the values it refused.
      await assert.rejects(ledger.recordBulkRun(run({ counts: { password: CANARY_PASSWORDS.correct } as never })), (error: Error) => !error.message.includes(CANARY_PASSWORDS.correct));
    });

    test('exactly 32 counters, a zero budget and whole-number counts at their edges are kept', async () => {
      const counts = Object.fromEntries(Array.from({ length: MAX_BULK_RUN_COUNTS }, (_, i) => [`counter${i}`, i * 1.5]));
      const edge = run({ id: randomUUID(), startedAt: new Date('2026-10-01T00:00:00Z'), counts, budgetPerSecond: 0, graphRequests: Number.MAX_SAFE_INTEGER, throttled: 0 });
      await ledger.recordBulkRun(edge);
      assert.deepEqual((await ledger.listBulkRuns({ limit: 1000 })).find((each) => each.id === edge.id), edge);
    });

    test('a decision keeps the legacy check latency; without one it reads back as written (absent)', async () => {
      await ledger.recordDecision(decision({ correlationId: 'legacy-timed', legacyLatencyInMs: 61.25 }));
      await ledger.recordDecision(decision({ correlationId: 'legacy-null', legacyLatencyInMs: null, action: 'Retry', reason: 'password-wrong' }));
      await ledger.recordDecision(decision({ correlationId: 'legacy-absent' }));
      assert.deepEqual((await ledger.listDecisions({ correlationId: 'legacy-timed' }))[0], decision({ correlationId: 'legacy-timed', legacyLatencyInMs: 61.25 }));
      assert.equal('legacyLatencyInMs' in (await ledger.listDecisions({ correlationId: 'legacy-null' }))[0]!, false);
      assert.deepEqual((await ledger.listDecisions({ correlationId: 'legacy-absent' }))[0], decision({ correlationId: 'legacy-absent' }));
      const before = await ledger.countDecisions();
      for (const legacyLatencyInMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, '5' as never]) {
        await assert.rejects(ledger.recordDecision(decision({ legacyLatencyInMs })), hasCode(LedgerErrorCode.RECORD_INVALID), String(legacyLatencyInMs));
      }
      assert.equal(await ledger.countDecisions(), before);
    });

    test('a closed ledger refuses the bulk-run methods', async () => {
      const second = await openLedger(await kind.url());
      await second.close();
      await assert.rejects(second.recordBulkRun(run()), hasCode(LedgerErrorCode.UNAVAILABLE));
      await assert.rejects(second.listBulkRuns(), hasCode(LedgerErrorCode.UNAVAILABLE));
    });
  });
}

/** A ledger at schema 6 (as released before migrations 007 and 008), with one decision, then opened by this version. */
describe('ledger migration 007 over a ledger written by the version before it', () => {
  const rowsAtVersion6 = `INSERT INTO jit_decisions (at, correlation_id, object_id, legacy_id, action, reason, latency_ms) VALUES`;

  test('SQLite: old decisions read back without a legacy latency; the newest runs walk the started_at index', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ledger-007-'));
    const path = join(dir, 'ledger.db');
    try {
      await (await openLedger(`sqlite://${path}`)).close();
      const db = new Database(path);
      db.exec('DROP INDEX jit_decisions_action_object_at; DROP TABLE bulk_runs; DELETE FROM schema_migrations WHERE version >= 7');
      db.exec('ALTER TABLE jit_decisions DROP COLUMN legacy_latency_ms');
      db.exec(`${rowsAtVersion6} ('2026-12-01T10:00:00.000Z', 'old', 'o', '1', 'MigratePassword', 'password-correct', 80)`);
      db.close();
      const ledger = await openLedger(`sqlite://${path}`);
      try {
        assert.deepEqual(await ledger.listDecisions({ correlationId: 'old' }), [{ at: new Date('2026-12-01T10:00:00.000Z'), correlationId: 'old', objectId: 'o', legacyId: '1', action: 'MigratePassword', reason: 'password-correct', latencyInMs: 80 }]);
        await ledger.recordBulkRun(run());
        assert.equal((await ledger.listBulkRuns()).length, 1);
      } finally {
        await ledger.close();
      }
      const check = new Database(path, { readonly: true });
      try {
        const plan = check.prepare<[], { detail: string }>('EXPLAIN QUERY PLAN SELECT * FROM bulk_runs ORDER BY started_at DESC, id DESC LIMIT 50').all().map((row) => row.detail).join('\n');
        assert.match(plan, /SCAN bulk_runs USING INDEX bulk_runs_started_at/);
        assert.doesNotMatch(plan, /TEMP B-TREE/);
      } finally {
        check.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: old decisions read back without a legacy latency', async (t) => {
    const skip = await skipUnlessService('postgres');
    if (skip) return t.skip(skip);
    const schema = `ledger_007_${process.pid}_${Date.now()}`;
    const url = `${SERVICES.postgres.url}?schema=${schema}`;
    const client = new pg.Client({ connectionString: SERVICES.postgres.url });
    await client.connect();
    try {
      await (await openLedger(url)).close();
      await client.query(`DROP INDEX ${schema}.jit_decisions_action_object_at; DROP TABLE ${schema}.bulk_runs; DELETE FROM ${schema}.schema_migrations WHERE version >= 7; ALTER TABLE ${schema}.jit_decisions DROP COLUMN legacy_latency_ms`);
      await client.query(`${rowsAtVersion6.replace('jit_decisions', `${schema}.jit_decisions`)} ('2026-12-01T10:00:00.000Z', 'old', 'o', '1', 'MigratePassword', 'password-correct', 80)`);
      const ledger = await openLedger(url);
      try {
        assert.deepEqual(await ledger.listDecisions({ correlationId: 'old' }), [{ at: new Date('2026-12-01T10:00:00.000Z'), correlationId: 'old', objectId: 'o', legacyId: '1', action: 'MigratePassword', reason: 'password-correct', latencyInMs: 80 }]);
        await ledger.recordBulkRun(run());
        assert.deepEqual(await ledger.listBulkRuns(), [run()]);
      } finally {
        await ledger.close();
      }
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
    }
  });
});
