import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { premigrate, readSource } from '../../src/bulk/index.js';
import { reconcile, type ReconcileSummary } from '../../src/bulk/reconcile.js';
import { openSqlMarker } from '../../src/bulk/steps/sql-marker.js';
import type { LegacyMarker } from '../../src/bulk/steps/legacy-marker.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { BatchRequest, GraphBatchClient } from '../../src/graph/index.js';
import { openLedger, type Ledger } from '../../src/ledger/index.js';
import { defineExtensionProperty } from '../support/flag-property.js';
import { emulatedGraph } from './emulated-graph.js';
import { SERVICES, skipUnlessService } from '../support/services.js';

const CLIENT_ID = '21111111-2222-4333-8444-555555555555';
const SECRET = 'reconcile-secret';
const HOUR = 3_600_000;
const MARK_QUERY = 'UPDATE users SET migrated_at = :migratedAt, entra_id = :objectId, marks = marks + 1 WHERE id = :legacyId';
const pgSchema = `reconcile_test_${process.pid}_${Date.now()}`;

/** The accounts of the story, one per state, and what each becomes. */
const ACCOUNTS = ['by-extension', 'by-reset', 'pending', 'not-applied', 'answered-recently', 'cleared-elsewhere'] as const;

const LEDGERS = [
  { name: 'SQLite', skip: async () => false as const, url: (dir: string) => `sqlite://${join(dir, 'ledger.db')}` },
  { name: 'PostgreSQL', skip: () => skipUnlessService('postgres'), url: () => `${SERVICES.postgres.url}?schema=${pgSchema}` },
];

after(async () => {
  if (await skipUnlessService('postgres')) return;
  const client = new pg.Client({ connectionString: SERVICES.postgres.url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`).finally(() => client.end());
});

for (const kind of LEDGERS) {
  const skip = await kind.skip();
  describe(`reconcile against the emulated Graph, ledger in ${kind.name}`, { skip }, () => {
    let dir: string;
    let emulator: RunningEmulator;
    let ledger: Ledger;
    let graph: GraphBatchClient;
    let flag: string;
    let legacyUrl: string;
    let shiftInMs = 0;
    const sent: BatchRequest[] = [];
    const objectIdOf = (legacyId: string) => emulator.directory.findUserBySignInName(`${legacyId}@legacy.example`)!.id;
    const legacyRows = () => new Database(join(dir, 'legacy.db'), { readonly: true }).prepare('SELECT id, migrated_at, entra_id, marks FROM users ORDER BY id').all() as Array<{ id: string; migrated_at: string | null; entra_id: string | null; marks: number }>;
    const run = async (extra: { marker?: LegacyMarker | null; ledger?: Ledger; now?: () => number } = {}): Promise<ReconcileSummary> => {
      const marker = extra.marker === undefined ? await openSqlMarker(legacyUrl, MARK_QUERY) : extra.marker;
      try {
        return await reconcile({ ledger: extra.ledger ?? ledger, graph, flagAttribute: flag, marker, graceInMs: 30 * 60_000, ...(extra.now && { now: extra.now }) });
      } finally {
        await marker?.close();
      }
    };

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'reconcile-'));
      emulator = await startEmulator({ port: 0, now: () => Date.now() + shiftInMs });
      flag = defineExtensionProperty(emulator);
      const { client, graph: recording } = emulatedGraph(emulator, { clientId: CLIENT_ID, secret: SECRET, sent });
      graph = recording;
      ledger = await openLedger(kind.url(dir));
      const source = join(dir, 'users.jsonl');
      await writeFile(source, ACCOUNTS.map((id) => JSON.stringify({ id, email: `${id}@legacy.example`, display_name: id })).join('\n'));
      const created = await premigrate({ source: readSource(source), ledger, graph: client, userBody: { tenantDomain: emulator.tenant.domain, flagAttribute: flag } });
      assert.equal(created.created, ACCOUNTS.length);
      // A user deleted in Entra after phase 1: the ledger holds an object id Graph no longer knows.
      await ledger.recordAccount({ legacyId: 'deleted', email: 'deleted@legacy.example', state: 'created', entraObjectId: '00000000-0000-4000-8000-00000000dead', reason: null, updatedAt: new Date() });

      const legacy = new Database(join(dir, 'legacy.db'));
      legacy.exec('CREATE TABLE users (id TEXT PRIMARY KEY, migrated_at TEXT, entra_id TEXT, marks INTEGER NOT NULL DEFAULT 0)');
      for (const id of [...ACCOUNTS, 'deleted']) legacy.prepare('INSERT INTO users (id) VALUES (?)').run(id);
      legacy.close();
      legacyUrl = `sqlite://${join(dir, 'legacy.db')}`;

      // What serve and Entra did since: MigratePassword answered and applied; answered long ago but never applied;
      // answered a minute ago (Entra may still be applying it); a password reset an hour later; a flag cleared by hand.
      const answer = (legacyId: string, correlationId: string, minutesAgo: number) =>
        ledger.recordDecision({ at: new Date(Date.now() - minutesAgo * 60_000), correlationId, objectId: objectIdOf(legacyId), legacyId, action: 'MigratePassword', reason: 'password-correct', latencyInMs: 40 });
      await answer('by-extension', 'corr-ext', 5);
      emulator.directory.setExtensionAttribute(objectIdOf('by-extension'), flag, false);
      await answer('not-applied', 'corr-na-1', 90);
      await answer('not-applied', 'corr-na-2', 45);
      await ledger.recordDecision({ at: new Date(), correlationId: 'corr-na-retry', objectId: objectIdOf('not-applied'), legacyId: 'not-applied', action: 'Retry', reason: 'password-wrong', latencyInMs: 3 });
      await answer('answered-recently', 'corr-recent', 1);
      shiftInMs = HOUR;
      await emulator.directory.setPassword(objectIdOf('by-reset'), 'an-unused-new-password-1');
      emulator.directory.setExtensionAttribute(objectIdOf('by-reset'), flag, false); // its next sign-in, without the extension
      emulator.directory.setExtensionAttribute(objectIdOf('cleared-elsewhere'), flag, false);
    });
    after(async () => {
      await ledger?.close();
      await emulator?.close();
      await rm(dir, { recursive: true, force: true });
    });

    test('every state from Graph, only GETs with $select, marks the migrated ones once', async () => {
      sent.length = 0;
      const summary = await run();
      assert.deepEqual(summary.states, { 'migrated-by-extension': 1, 'migrated-by-reset': 1, pending: 3, 'not-applied': 1, 'released-by-cutover': 0 });
      assert.equal(summary.read, 6);
      assert.deepEqual(summary.notApplied, [{ legacyId: 'not-applied', objectId: objectIdOf('not-applied'), correlationIds: ['corr-na-2', 'corr-na-1'] }]);
      assert.deepEqual(summary.deletedInEntra, [{ legacyId: 'deleted', objectId: '00000000-0000-4000-8000-00000000dead' }]);
      assert.deepEqual(summary.flagClearedElsewhere.map((account) => account.legacyId), ['cleared-elsewhere']);
      assert.equal(summary.marked, 2);
      assert.deepEqual(summary.markFailures, []);
      assert.ok(sent.length === 7 && sent.every((request) => request.method === 'GET' && request.url.endsWith(`?$select=id,lastPasswordChangeDateTime,${flag}`)), JSON.stringify(sent));

      const rows = legacyRows();
      const marked = rows.filter((row) => row.marks > 0);
      assert.deepEqual(marked.map((row) => [row.id, row.marks, row.entra_id]), [['by-extension', 1, objectIdOf('by-extension')], ['by-reset', 1, objectIdOf('by-reset')]]);
      const confirmedAt = (await ledger.reconciliation('by-reset'))!.confirmedAt!;
      assert.equal(marked[1]!.migrated_at, confirmedAt.toISOString());
      assert.match(marked[1]!.migrated_at!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual(summary.totals, { 'migrated-by-extension': 1, 'migrated-by-reset': 1, pending: 3, 'not-applied': 1 });
    });

    test('a second run reads only the open accounts again and repeats no mark', async () => {
      sent.length = 0;
      const summary = await run();
      assert.equal(summary.read, 4);
      assert.equal(summary.marked, 0);
      assert.equal(sent.length, 5); // four open accounts and the deleted user
      assert.ok(!sent.some((request) => request.url.includes(objectIdOf('by-extension')) || request.url.includes(objectIdOf('by-reset'))));
      assert.deepEqual(legacyRows().map((row) => row.marks), [0, 1, 1, 0, 0, 0, 0]);
    });

    test('an answer within the grace turns not applied once the grace is over; a flag applied later becomes migrated', async () => {
      const later = () => Date.now() + HOUR;
      const summary = await run({ now: later });
      assert.deepEqual(summary.notApplied.map((account) => account.legacyId), ['answered-recently', 'not-applied']);
      emulator.directory.setExtensionAttribute(objectIdOf('not-applied'), flag, false);
      const applied = await run();
      assert.equal(applied.states['migrated-by-extension'], 1);
      assert.deepEqual(applied.notApplied, []);
      assert.equal(legacyRows().find((row) => row.id === 'not-applied')!.marks, 1);
    });

    test('a failed mark is reported and retried next run without a GET; a crash between mark and record marks again (at least once)', async () => {
      emulator.directory.setExtensionAttribute(objectIdOf('answered-recently'), flag, false);
      const failing: LegacyMarker = { mark: async () => Promise.reject(new Error('LEGACY_MARK_MIGRATED_QUERY failed against sqlite://legacy.db: SQLITE_BUSY: database is locked')), close: async () => {} };
      const failed = await run({ marker: failing });
      assert.deepEqual(failed.markFailures, [{ legacyId: 'answered-recently', objectId: objectIdOf('answered-recently'), error: 'LEGACY_MARK_MIGRATED_QUERY failed against sqlite://legacy.db: SQLITE_BUSY: database is locked' }]);
      assert.equal((await ledger.reconciliation('answered-recently'))!.mark.error, failed.markFailures[0]!.error);

      // The mark runs, then the ledger fails to record it (a crash in between): the run fails.
      const crashing = new Proxy(ledger, {
        get: (target, name) => (name === 'recordMark' ? async () => Promise.reject(new Error('killed')) : Reflect.get(target, name)),
      });
      sent.length = 0;
      await assert.rejects(run({ ledger: crashing }), /killed/);
      assert.equal(sent.length, 0, 'a confirmed account is marked without reading Graph again');
      assert.equal(legacyRows().find((row) => row.id === 'answered-recently')!.marks, 1);
      const resumed = await run();
      assert.equal(resumed.marked, 1);
      assert.equal(legacyRows().find((row) => row.id === 'answered-recently')!.marks, 2, 'at least once: the mark ran again');
      assert.equal((await ledger.reconciliation('answered-recently'))!.mark.error, null);
      assert.equal((await run()).marked, 0, 'and never again once recorded');
    });

    test('without a mark configured, confirmed accounts wait unmarked and are marked once one is', async () => {
      emulator.directory.setExtensionAttribute(objectIdOf('pending'), flag, false);
      await ledger.recordDecision({ at: new Date(), correlationId: 'corr-p', objectId: objectIdOf('pending'), legacyId: 'pending', action: 'MigratePassword', reason: 'password-correct', latencyInMs: 1 });
      const unmarked = await run({ marker: null });
      assert.equal(unmarked.states['migrated-by-extension'], 1);
      assert.equal(unmarked.marked, 0);
      assert.equal(legacyRows().find((row) => row.id === 'pending')!.marks, 0);
      sent.length = 0;
      assert.equal((await run()).marked, 1);
      assert.ok(!sent.some((request) => request.url.includes(objectIdOf('pending'))));
      assert.equal(legacyRows().find((row) => row.id === 'pending')!.marks, 1);
    });
  });
}
