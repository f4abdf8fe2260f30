import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import pg from 'pg';
import { LedgerErrorCode, type DecisionRecord, type Ledger } from '../../src/ledger/index.js';
import { openPostgresLedger } from '../../src/ledger/postgres-ledger.js';
import { SERVICES, skipUnlessService } from '../support/services.js';
import { settlesWithin, startStallProxy, type StallProxy } from '../support/stall-proxy.js';

// The PostgreSQL ledger behind a connection that stalls (TCP up, nothing comes back): a write or a readiness ping
// on it fails within its timeout with LEDGER_UNAVAILABLE, the stalled connection is destroyed, and the next call
// works on a fresh connection. Before, a stalled write or ping waited forever.

const schema = `ledger_stall_${process.pid}_${Date.now()}`;

const record = (correlationId: string): DecisionRecord => ({
  at: new Date('2026-11-24T12:00:00.000Z'),
  correlationId,
  objectId: 'o0000000-0000-4000-8000-000000000001',
  legacyId: '42',
  action: 'MigratePassword',
  reason: 'password-correct',
  latencyInMs: 12,
});

const hasCode = (code: string) => (error: unknown) => {
  assert.equal((error as { code?: unknown }).code, code, inspect(error));
  return true;
};

describe('PostgreSQL ledger over a stalled connection', { skip: await skipUnlessService('postgres') }, () => {
  let proxy: StallProxy;
  let ledger: Ledger;

  before(async () => {
    proxy = await startStallProxy(SERVICES.postgres);
    const url = new URL(SERVICES.postgres.url);
    url.port = String(proxy.port);
    ledger = await openPostgresLedger({ url: url.href, schema, shown: url.href }, { queryTimeoutInMs: 400, pingTimeoutInMs: 200 });
  });
  after(async () => {
    await proxy?.close(); // first: a pool waiting on a stalled connection would keep close() waiting
    await ledger?.close();
    const client = new pg.Client({ connectionString: SERVICES.postgres.url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
  });

  test('a write on a stalled connection fails with LEDGER_UNAVAILABLE, the connection is closed, the next write lands', async () => {
    await ledger.ping();
    assert.ok(proxy.stall() >= 1, 'the pool held a connection');
    await settlesWithin(assert.rejects(ledger.recordDecision(record('stalled-write')), hasCode(LedgerErrorCode.UNAVAILABLE)), 3000, 'the stalled write');
    await settlesWithin(ledger.recordDecision(record('after-the-stall')), 3000, 'the next write');
    assert.deepEqual((await ledger.listDecisions({ correlationId: 'after-the-stall' })).map((decision) => decision.correlationId), ['after-the-stall']);
    await proxy.stalledClosed(2000);
  });

  test('a readiness ping on a stalled connection fails with LEDGER_UNAVAILABLE, and the next ping succeeds', async () => {
    await ledger.ping();
    assert.ok(proxy.stall() >= 1);
    await settlesWithin(assert.rejects(ledger.ping(), hasCode(LedgerErrorCode.UNAVAILABLE)), 3000, 'the stalled ping');
    await settlesWithin(ledger.ping(), 3000, 'the next ping');
    await proxy.stalledClosed(2000);
  });
});
