import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { LedgerErrorCode, openLedger, type Ledger } from '../../src/ledger/index.js';
import { statusFigures, UNAVAILABLE_REASONS } from '../../src/status/index.js';
import { SERVICES, skipUnlessService } from '../support/services.js';
import { CHECKED_AT, NOW, seedStatusLedger } from './seed-status-ledger.js';

const pgSchemas: string[] = [];
let sqliteDir: string | undefined;

const KINDS = [
  {
    name: 'sqlite',
    skip: async () => false as const,
    url: async (name: string) => {
      sqliteDir ??= await mkdtemp(join(tmpdir(), 'status-figures-'));
      return `sqlite://${join(sqliteDir, `${name}.db`)}`;
    },
  },
  {
    name: 'postgres',
    skip: () => skipUnlessService('postgres'),
    url: async (name: string) => {
      const schema = `status_figures_${name}_${process.pid}_${Date.now()}`;
      pgSchemas.push(schema);
      return `${SERVICES.postgres.url}?schema=${schema}`;
    },
  },
];

/** Removes what the tests of one kind created (their ledgers closed first). */
async function cleanUp(): Promise<void> {
  if (sqliteDir) await rm(sqliteDir, { recursive: true, force: true });
  sqliteDir = undefined;
  if (pgSchemas.length === 0) return;
  const client = new pg.Client({ connectionString: SERVICES.postgres.url });
  await client.connect();
  for (const schema of pgSchemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

const zeroActions = { MigratePassword: 0, UpdatePassword: 0, Retry: 0, Block: 0, modifyAttributeValues: 0 };

for (const kind of KINDS) {
  const skip = await kind.skip();
  describe(`status figures: ${kind.name}`, { skip }, () => {
    let ledger: Ledger;
    let empty: Ledger;
    before(async () => {
      ledger = await openLedger(await kind.url('seeded'));
      await seedStatusLedger(ledger);
      empty = await openLedger(await kind.url('empty'));
    });
    after(async () => {
      await ledger?.close();
      await empty?.close();
      await cleanUp();
    });

    test('every pre-created account in exactly one standing, the migrated total beside its breakdown', async () => {
      const figures = await statusFigures({ ledger, days: 3, now: NOW });
      assert.equal(figures.generatedAt, NOW.toISOString());
      assert.equal(figures.lastReconcileAt, CHECKED_AT.toISOString());
      assert.deepEqual(figures.accounts, { preCreated: 12, pendingCreation: 1, failed: 1 });
      assert.deepEqual(figures.migratedBy, { extension: 2, reset: 1, signUp: 2 });
      assert.equal(figures.migrated, 5);
      assert.equal(figures.migratedConfirmed, 2);
      assert.equal(figures.migratedByExtensionUnconfirmed, 1);
      assert.equal(figures.needsNewPassword, 1);
      assert.equal(figures.blocked, 1, 'a Block for an unavailable store is not a blocked account');
      assert.equal(figures.triedNotMigrated, 1);
      assert.equal(figures.neverSignedIn, 4, 'no answer, and at most pending in reconcile; an existing account counts as pre-created');
      assert.equal(figures.notApplied, 1);
      assert.equal(figures.releasedByCutover, 1);
      const standings = figures.migratedBy.extension + figures.migratedBy.reset + figures.needsNewPassword + figures.blocked + figures.triedNotMigrated + figures.neverSignedIn + figures.notApplied + figures.releasedByCutover;
      assert.equal(standings, figures.accounts.preCreated);
    });

    test('answers per UTC day: counts per action, percentile_disc latencies, the unavailable share', async () => {
      const { answers } = await statusFigures({ ledger, days: 3, now: NOW });
      assert.equal(answers.from, '2026-11-28');
      assert.equal(answers.to, '2026-11-30');
      assert.deepEqual(answers.unavailableReasons, UNAVAILABLE_REASONS);
      assert.deepEqual(answers.perDay, [
        { day: '2026-11-28', answers: 2, byAction: { ...zeroActions, Block: 1, Retry: 1 }, p50LatencyInMs: 40, p99LatencyInMs: 50, unavailable: 0, unavailableShare: 0 },
        { day: '2026-11-29', answers: 3, byAction: { ...zeroActions, MigratePassword: 1, UpdatePassword: 1, Block: 1 }, p50LatencyInMs: 30, p99LatencyInMs: 1000, unavailable: 1, unavailableShare: 1 / 3 },
        { day: '2026-11-30', answers: 5, byAction: { ...zeroActions, MigratePassword: 2, modifyAttributeValues: 2, Block: 1 }, p50LatencyInMs: 70, p99LatencyInMs: 2000, unavailable: 1, unavailableShare: 0.2 },
      ]);
    });

    test('--days reaches further back; a day without answers has zeros and no latencies', async () => {
      const { answers } = await statusFigures({ ledger, days: 11, now: NOW });
      assert.equal(answers.perDay.length, 11);
      assert.equal(answers.from, '2026-11-20');
      assert.deepEqual(answers.perDay[0], { day: '2026-11-20', answers: 1, byAction: { ...zeroActions, modifyAttributeValues: 1 }, p50LatencyInMs: 5, p99LatencyInMs: 5, unavailable: 0, unavailableShare: 0 });
      assert.deepEqual(answers.perDay[1], { day: '2026-11-21', answers: 0, byAction: zeroActions, p50LatencyInMs: null, p99LatencyInMs: null, unavailable: 0, unavailableShare: null });
      assert.equal(answers.perDay[7]!.answers, 1, '2026-11-27T23:59:59.999Z is the 27th');
    });

    test('stragglers: pre-created, not migrated, in byte order by keyset pages, with the latest answer', async () => {
      const whole = await ledger.listStragglers();
      assert.equal(whole.next, undefined, 'one page holds the 14 accounts');
      const all = whole.stragglers;
      assert.deepEqual(
        all.map((s) => [s.legacyId, s.lastAnswer, s.lastAttemptAt?.toISOString() ?? null]),
        [
          ['=1+2', null, null],
          ['a-blocked', 'Block', '2026-11-28T00:00:00.000Z'],
          ['a-never1', null, null],
          ['a-never2', null, null],
          ['a-pending-recon', null, null],
          ['a-retry', 'Block', '2026-11-29T11:00:00.000Z'],
          ['a-update', 'UpdatePassword', '2026-11-29T10:00:00.000Z'],
        ],
      );
      assert.equal(all[0]!.email, '-x@example.com, "q"');
      assert.equal(all[0]!.preCreatedAt.toISOString(), '2026-11-01T00:00:00.000Z');
      const paged = [];
      let pages = 0;
      for (let after: string | undefined; ; pages++) {
        const page = await ledger.listStragglers({ ...(after !== undefined && { after }), limit: 2 });
        paged.push(...page.stragglers.map((s) => s.legacyId));
        if (page.next === undefined) break;
        after = page.next;
      }
      assert.equal(pages, 7, 'pages of 2 accounts (not of 2 stragglers): 14 accounts in 7 full pages, then one that is empty and last');
      assert.deepEqual(paged, all.map((s) => s.legacyId));
    });

    test('an empty ledger: zeros, no reconcile, every day present', async () => {
      const figures = await statusFigures({ ledger: empty, days: 2, now: NOW });
      assert.equal(figures.lastReconcileAt, null);
      assert.deepEqual(figures.accounts, { preCreated: 0, pendingCreation: 0, failed: 0 });
      assert.equal(figures.migrated, 0);
      assert.equal(figures.neverSignedIn, 0);
      assert.deepEqual(figures.answers.perDay.map((day) => [day.day, day.answers, day.unavailableShare]), [['2026-11-29', 0, null], ['2026-11-30', 0, null]]);
      assert.deepEqual(await empty.listStragglers(), { stragglers: [] });
    });

    test('a day range that is not whole UTC days, or a reason that is not a token, is refused', async () => {
      await assert.rejects(ledger.decisionDays({ since: new Date('2026-11-28T01:00:00Z'), until: NOW, unavailableReasons: [] }), { code: LedgerErrorCode.RECORD_INVALID });
      await assert.rejects(ledger.countStandings({ unavailableReasons: ["x') OR 1=1 --"] }), { code: LedgerErrorCode.RECORD_INVALID });
    });
  });
}
