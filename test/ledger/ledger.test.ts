import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { LEDGER_SCHEMA_VERSION, LedgerErrorCode, openLedger, parseLedgerUrl, type DecisionRecord, type Ledger } from '../../src/ledger/index.js';
import { ledgerKinds } from '../support/ledger-kinds.js';
import { SERVICES, skipUnlessService } from '../support/services.js';

const record = (overrides: Partial<DecisionRecord> = {}): DecisionRecord => ({
  at: new Date('2026-11-24T12:00:00.123Z'),
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

const KINDS = ledgerKinds('test', { memory: true, sqlitePath: ['nested', 'dir', 'ledger.db'] });


for (const kind of KINDS) {
  const skip = await kind.skip();
  describe(`ledger contract: ${kind.name}`, { skip }, () => {
    let ledger: Ledger;
    before(async () => {
      ledger = await openLedger(await kind.url());
    });
    after(async () => {
      await ledger?.close();
      await kind.cleanUp();
    });

    test('records decisions and lists them newest first, with every field intact', async () => {
      await ledger.recordDecision(record());
      await ledger.recordDecision(record({ correlationId: 'c2', action: 'Retry', reason: 'password-wrong', legacyId: null, latencyInMs: 0 }));
      const [newest, oldest] = await ledger.listDecisions();
      assert.equal(newest!.correlationId, 'c2');
      assert.equal(newest!.legacyId, null);
      assert.deepEqual(oldest, record());
    });

    test('filters by object id and correlation id, and bounds the limit', async () => {
      await ledger.recordDecision(record({ objectId: 'someone-else', correlationId: 'c3', action: 'Block', reason: 'legacy-account-blocked' }));
      assert.deepEqual((await ledger.listDecisions({ objectId: 'someone-else' })).map((row) => row.correlationId), ['c3']);
      assert.deepEqual((await ledger.listDecisions({ correlationId: 'c2' })).map((row) => row.action), ['Retry']);
      assert.equal((await ledger.listDecisions({ limit: 1 })).length, 1);
      assert.equal((await ledger.listDecisions({ limit: -5 })).length, 3);
    });

    test('counts by action', async () => {
      assert.deepEqual(await ledger.countByAction(), { MigratePassword: 1, Retry: 1, Block: 1 });
    });

    test('hostile text is stored as text', async () => {
      const reason = `'; DROP TABLE jit_decisions; -- "quoted" \\ ü 😀`;
      await ledger.recordDecision(record({ correlationId: 'c4', reason }));
      assert.equal((await ledger.listDecisions({ correlationId: 'c4' }))[0]!.reason, reason);
    });

    test('invalid records are refused and nothing is written', async () => {
      const before = (await ledger.listDecisions({ limit: 10_000 })).length;
      const invalid: Array<Partial<DecisionRecord>> = [
        { action: 'Allow' as DecisionRecord['action'] },
        { correlationId: '' },
        { objectId: 'x'.repeat(201) },
        { reason: 'a\0b' },
        { legacyId: '' },
        { latencyInMs: -1 },
        { latencyInMs: Number.NaN },
        { at: new Date('not a date') },
        { reason: 'x'.repeat(10_000) },
      ];
      for (const overrides of invalid) {
        await assert.rejects(ledger.recordDecision(record(overrides)), hasCode(LedgerErrorCode.RECORD_INVALID), JSON.stringify(overrides).slice(0, 60));
      }
      assert.equal((await ledger.listDecisions({ limit: 10_000 })).length, before);
    });

    test('account states: upsert, read, keyset listing by state, counts; invalid states refused', async () => {
      const at = new Date('2026-11-24T12:00:00.000Z');
      for (const [legacyId, state] of [['b-2', 'pending'], ['a-1', 'pending'], ['c-3', 'failed']] as const) {
        await ledger.recordAccount({ legacyId, email: `${legacyId}@example.com`, state, entraObjectId: null, reason: state === 'failed' ? 'Request_BadRequest: bad mail' : null, updatedAt: at });
      }
      await ledger.recordAccount({ legacyId: 'b-2', email: 'b-2@example.com', state: 'created', entraObjectId: 'oid-b', reason: null, updatedAt: at });
      assert.deepEqual(await ledger.accountState('b-2'), { legacyId: 'b-2', email: 'b-2@example.com', state: 'created', entraObjectId: 'oid-b', reason: null, updatedAt: at });
      assert.equal(await ledger.accountState('nobody'), undefined);
      assert.deepEqual((await ledger.listAccounts()).map((account) => account.legacyId), ['a-1', 'b-2', 'c-3']);
      assert.deepEqual((await ledger.listAccounts({ after: 'a-1', limit: 1 })).map((account) => account.legacyId), ['b-2']);
      assert.deepEqual((await ledger.listAccounts({ state: 'pending' })).map((account) => account.legacyId), ['a-1']);
      assert.deepEqual(await ledger.countAccounts(), { pending: 1, created: 1, failed: 1 });
      for (const bad of [{ state: 'done' }, { legacyId: '' }, { email: 'x'.repeat(400) }, { reason: '' }]) {
        await assert.rejects(
          ledger.recordAccount({ legacyId: 'z', email: 'z@example.com', state: 'pending', entraObjectId: null, reason: null, updatedAt: at, ...bad } as never),
          hasCode(LedgerErrorCode.RECORD_INVALID),
        );
      }
    });

    test('ping answers; a closed ledger refuses work; close is idempotent', async () => {
      await ledger.ping();
      const second = await openLedger(await kind.url());
      await second.close();
      await second.close();
      await assert.rejects(second.ping(), hasCode(LedgerErrorCode.UNAVAILABLE));
      await assert.rejects(second.recordDecision(record()), hasCode(LedgerErrorCode.UNAVAILABLE));
    });
  });
}

describe('ledger migrations', () => {
  test('SQLite: reopening applies nothing twice; a newer schema is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ledger-migrations-'));
    const path = join(dir, 'ledger.db');
    try {
      await (await openLedger(`sqlite://${path}`)).close();
      const reopened = await openLedger(`sqlite://${path}`);
      await reopened.recordDecision(record());
      await reopened.close();
      const db = new Database(path);
      assert.deepEqual(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all(), Array.from({ length: LEDGER_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
      db.prepare("INSERT INTO schema_migrations VALUES (?, 'from-the-future', 'now')").run(LEDGER_SCHEMA_VERSION + 1);
      db.close();
      await assert.rejects(openLedger(`sqlite://${path}`), hasCode(LedgerErrorCode.SCHEMA_TOO_NEW));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: five instances opening a fresh schema at once migrate it once', async (t) => {
    const skip = await skipUnlessService('postgres');
    if (skip) return t.skip(skip);
    const schema = `ledger_race_${process.pid}_${Date.now()}`;
    const url = `${SERVICES.postgres.url}?schema=${schema}`;
    try {
      const ledgers = await Promise.all(Array.from({ length: 5 }, () => openLedger(url)));
      await Promise.all(ledgers.map((ledger, i) => ledger.recordDecision(record({ correlationId: `race-${i}` }))));
      assert.equal((await ledgers[0]!.listDecisions()).length, 5);
      await Promise.all(ledgers.map((ledger) => ledger.close()));
      const client = new pg.Client({ connectionString: SERVICES.postgres.url });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
        assert.deepEqual(rows, Array.from({ length: LEDGER_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })));
      } finally {
        await client.end();
      }
    } finally {
      const client = new pg.Client({ connectionString: SERVICES.postgres.url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
    }
  });
});

describe('ledger URLs', () => {
  test('each supported form parses', () => {
    assert.deepEqual(parseLedgerUrl('memory:'), { kind: 'memory' });
    assert.deepEqual(parseLedgerUrl('sqlite:///var/lib/ledger.db'), { kind: 'sqlite', path: '/var/lib/ledger.db' });
    assert.equal(parseLedgerUrl('sqlite://./data/ledger.db').kind, 'sqlite');
    const postgres = parseLedgerUrl('postgres://app:s3cret@db:5432/migration?schema=entra_migrate');
    assert.equal(postgres.kind === 'postgres' && postgres.schema, 'entra_migrate');
  });

  test('bad URLs are LEDGER_URL_INVALID, naming the setting, never showing the password', () => {
    for (const url of ['mysql://root:s3cret@db/x', 'sqlite://', 'postgres://app:s3cret@db/x?schema=Bad;Drop', 'postgres://app:s3cret@[bad/x', 'ledger.db', '']) {
      assert.throws(() => parseLedgerUrl(url), (error: Error & { code?: string; publicMessage?: string }) => {
        assert.equal(error.code, LedgerErrorCode.URL_INVALID);
        assert.match(error.message, /LEDGER_DATABASE_URL/);
        assert.ok(!error.message.includes('s3cret') && !String(error.publicMessage).includes('s3cret'), error.message);
        return true;
      });
    }
  });

  test('an unreachable PostgreSQL is LEDGER_UNAVAILABLE without the password', async () => {
    await assert.rejects(openLedger('postgres://app:s3cret@127.0.0.1:1/x'), (error: Error & { code?: string }) => {
      assert.equal(error.code, LedgerErrorCode.UNAVAILABLE);
      assert.ok(!error.message.includes('s3cret'));
      return true;
    });
  });
});
