import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { after, before, describe, test } from 'node:test';
import { LedgerErrorCode, MAX_PROGRESS_BUCKETS, openLedger, type AccountState, type Confirmation, type DecisionAction, type Ledger, type ProgressBucket } from '../../src/ledger/index.js';
import { progressMomentsSql } from '../../src/ledger/progress-history.js';
import { SQLITE_PROGRESS_DIALECT } from '../../src/ledger/sqlite-ledger.js';
import { statusFigures } from '../../src/status/index.js';
import { ledgerKinds } from '../support/ledger-kinds.js';
import { NOW, seedStatusLedger } from '../status/seed-status-ledger.js';

const HOUR_IN_MS = 3_600_000;
const SINCE = new Date('2026-12-01T00:00:00.000Z');
const UNTIL = new Date('2026-12-01T06:00:00.000Z');
const at = (time: string) => new Date(`2026-12-01T${time}Z`);

const hasCode = (code: string) => (error: unknown) => {
  assert.equal((error as { code?: string }).code, code, String(error));
  return true;
};

/** Columns of the buckets, one array each, oldest bucket first: easier to read in a failure than 6 objects. */
function columns(buckets: readonly ProgressBucket[]) {
  const of = (key: Exclude<keyof ProgressBucket, 'at'>) => buckets.map((bucket) => bucket[key]);
  return {
    at: buckets.map((bucket) => bucket.at.toISOString().slice(11, 16)),
    preCreated: of('preCreated'),
    migratedByExtension: of('migratedByExtension'),
    migratedByReset: of('migratedByReset'),
    migratedBySignUp: of('migratedBySignUp'),
    releasedByCutover: of('releasedByCutover'),
    remaining: of('remaining'),
  };
}

/**
 * One account per case, each with the moments that place it: pre-created before the range or inside it (one exactly
 * on a bucket's edge), answered before its pre-creation, migrated by UpdatePassword then confirmed, released, not
 * applied, answered or pre-created after the range, never pre-created.
 */
async function seedMoments(ledger: Ledger): Promise<void> {
  const account = (legacyId: string, updatedAt: Date, state: AccountState['state'] = 'created') =>
    ledger.recordAccount({ legacyId, email: `${legacyId}@example.com`, state, entraObjectId: state === 'created' || state === 'existing' ? `o-${legacyId}` : null, reason: null, updatedAt });
  const answer = (objectId: string, legacyId: string, when: Date, action: DecisionAction, reason = 'password-correct') =>
    ledger.recordDecision({ at: when, correlationId: `c-${objectId}-${when.toISOString()}`, objectId, legacyId, action, reason, latencyInMs: 50 });
  const reconciled = (legacyId: string, confirmation: Confirmation, confirmedAt: Date | null, checkedAt: Date) =>
    ledger.recordReconciliation({ legacyId, objectId: `o-${legacyId}`, confirmation, confirmedAt, lastPasswordChangeAt: null, checkedAt });

  await account('A-before', new Date('2026-11-30T12:00:00Z'));
  await account('B-answered', at('00:30:00'), 'existing');
  await answer('o-B-answered', 'B-answered', at('02:15:00'), 'MigratePassword');
  await answer('o-B-answered', 'B-answered', at('02:45:00'), 'MigratePassword'); // the first answer counts
  await account('C-reset', at('01:00:00'));
  await account('C-just-before', at('00:59:59.999')); // a millisecond before C's bucket: times are kept to the ms
  await reconciled('C-reset', 'migrated-by-reset', at('03:00:00'), at('03:30:00'));
  await account('D-answered-early', at('01:10:00'));
  await answer('o-D-answered-early', 'D-answered-early', at('00:50:00'), 'MigratePassword');
  await account('E-update-confirmed', at('00:10:00'));
  await answer('o-E-update-confirmed', 'E-update-confirmed', at('01:30:00'), 'UpdatePassword', 'password-correct-policy-too-short');
  await answer('o-E-update-confirmed', 'E-update-confirmed', at('01:40:00'), 'MigratePassword');
  await reconciled('E-update-confirmed', 'migrated-by-extension', at('04:00:00'), at('04:00:00'));
  await account('F-released', at('00:20:00'));
  await reconciled('F-released', 'released-by-cutover', null, at('05:00:00'));
  await account('G-not-applied', at('00:05:00'));
  await answer('o-G-not-applied', 'G-not-applied', at('02:00:00'), 'MigratePassword');
  await reconciled('G-not-applied', 'not-applied', null, at('02:30:00'));
  await account('H-after', at('07:00:00'));
  await account('L-at-until', at('06:00:00'));
  await account('I-failed', at('00:10:00'), 'failed');
  await account('I-pending', at('00:10:00'), 'pending');
  await account('J-answered-after', at('00:40:00'));
  await answer('o-J-answered-after', 'J-answered-after', at('06:30:00'), 'MigratePassword');
  await account('K-retry-only', at('00:50:00'));
  await answer('o-K-retry-only', 'K-retry-only', at('01:05:00'), 'Retry', 'password-wrong');
  await answer('sign-up', 'l-s1', at('00:15:00'), 'modifyAttributeValues', 'migrated-by-sign-up');
  await answer('sign-up', 'l-s1', at('03:00:00'), 'modifyAttributeValues', 'migrated-by-sign-up');
  await answer('sign-up', 'l-s2', new Date('2026-11-30T01:00:00Z'), 'modifyAttributeValues', 'migrated-by-sign-up');
  await answer('sign-up', 'l-s3', at('02:00:00'), 'modifyAttributeValues', 'some-other-reason');
}

for (const kind of ledgerKinds('progress-history', { memory: true })) {
  const skip = await kind.skip();
  describe(`ledger progress over time: ${kind.name}`, { skip }, () => {
    let ledger: Ledger;
    before(async () => {
      ledger = await openLedger(await kind.url());
    });
    after(async () => {
      await ledger?.close();
      await kind.cleanUp();
    });

    test('an empty ledger: every bucket at zero, each ending one bucket after the last, the last at until', async () => {
      const buckets = await ledger.progressHistory({ since: SINCE, until: new Date(UNTIL.getTime() - 1_800_000), bucketInMs: HOUR_IN_MS });
      assert.deepEqual(columns(buckets).at, ['01:00', '02:00', '03:00', '04:00', '05:00', '05:30']);
      assert.ok(buckets.every((bucket) => bucket.preCreated === 0 && bucket.remaining === 0 && bucket.migratedBySignUp === 0));
    });

    test('each account counts in its standing from the moment that explains it, never before its pre-creation', async () => {
      await seedMoments(ledger);
      assert.deepEqual(columns(await ledger.progressHistory({ since: SINCE, until: UNTIL, bucketInMs: HOUR_IN_MS })), {
        at: ['01:00', '02:00', '03:00', '04:00', '05:00', '06:00'],
        // A before the range; B, E, F, G, J, K and C-just-before in the first hour; C on the edge of the second, and D;
        // L at until, H after.
        preCreated: [8, 10, 10, 10, 10, 11],
        // D at its pre-creation (answered before it), E at its UpdatePassword (confirmed later), B at its first answer.
        migratedByExtension: [0, 2, 3, 3, 3, 3],
        migratedByReset: [0, 0, 0, 1, 1, 1],
        // l-s2 before the range, l-s1 once at its first sign-up; l-s3's reason is not a link.
        migratedBySignUp: [2, 2, 2, 2, 2, 2],
        // F when reconcile read Graph, having no confirmation time.
        releasedByCutover: [0, 0, 0, 0, 0, 1],
        // G (not applied), J (answered after the range), K (Retry only) and C-just-before remain throughout; L from until.
        remaining: [8, 8, 7, 6, 6, 6],
      });
    });

    test('a range after everything starts from the totals; a range before everything is all zeros', async () => {
      const later = await ledger.progressHistory({ since: new Date('2026-12-02T00:00:00Z'), until: new Date('2026-12-02T02:00:00Z'), bucketInMs: HOUR_IN_MS });
      assert.deepEqual(columns(later).preCreated, [12, 12]);
      assert.deepEqual(columns(later).migratedByExtension, [4, 4]);
      const earlier = await ledger.progressHistory({ since: new Date('2026-11-01T00:00:00Z'), until: new Date('2026-11-01T00:00:05Z'), bucketInMs: 1000 });
      assert.equal(earlier.length, 5);
      assert.ok(earlier.every((bucket) => bucket.preCreated === 0 && bucket.migratedBySignUp === 0));
    });

    test('ranges that are not ranges, too fine or too many buckets are refused', async () => {
      const refused = [
        { since: UNTIL, until: SINCE, bucketInMs: HOUR_IN_MS },
        { since: SINCE, until: SINCE, bucketInMs: HOUR_IN_MS },
        { since: new Date('nope'), until: UNTIL, bucketInMs: HOUR_IN_MS },
        { since: SINCE, until: UNTIL, bucketInMs: 999 },
        { since: SINCE, until: UNTIL, bucketInMs: 1500.5 },
        { since: SINCE, until: UNTIL, bucketInMs: Number.NaN },
        { since: SINCE, until: new Date(SINCE.getTime() + (MAX_PROGRESS_BUCKETS + 1) * 1000), bucketInMs: 1000 },
        { since: '2026-12-01' as never, until: UNTIL, bucketInMs: HOUR_IN_MS },
      ];
      for (const filter of refused) await assert.rejects(ledger.progressHistory(filter), hasCode(LedgerErrorCode.RECORD_INVALID), JSON.stringify(filter));
      assert.equal((await ledger.progressHistory({ since: SINCE, until: new Date(SINCE.getTime() + MAX_PROGRESS_BUCKETS * 1000), bucketInMs: 1000 })).length, MAX_PROGRESS_BUCKETS);
    });
  });

  describe(`ledger progress over time ends at the status figures: ${kind.name}`, { skip }, () => {
    let ledger: Ledger;
    before(async () => {
      ledger = await openLedger(await kind.url());
      await seedStatusLedger(ledger);
    });
    after(async () => {
      await ledger?.close();
    });

    test("the last point equals status's figures (one account in every standing)", async () => {
      const figures = await statusFigures({ ledger, days: 3, now: NOW });
      const buckets = await ledger.progressHistory({ since: new Date(NOW.getTime() - 30 * 86_400_000), until: NOW, bucketInMs: 86_400_000 });
      const last = buckets.at(-1)!;
      assert.deepEqual(last, {
        at: NOW,
        preCreated: figures.accounts.preCreated,
        migratedByExtension: figures.migratedBy.extension,
        migratedByReset: figures.migratedBy.reset,
        migratedBySignUp: figures.migratedBy.signUp,
        releasedByCutover: figures.releasedByCutover,
        remaining: figures.needsNewPassword + figures.blocked + figures.triedNotMigrated + figures.neverSignedIn + figures.notApplied,
      });
      assert.ok(last.migratedByExtension > 0 && last.migratedByReset > 0 && last.migratedBySignUp > 0 && last.releasedByCutover > 0, 'every kind is exercised');
      assert.ok(buckets.every((bucket, i) => i === 0 || (bucket.preCreated >= buckets[i - 1]!.preCreated && bucket.remaining >= 0)));
    });
  });
}

describe('ledger migration 008: the progress query reads the answers from its index (SQLite)', () => {
  test('the first answers per user come from the (action, object_id, at) index alone; the accounts are read once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'progress-plan-'));
    try {
      await (await openLedger(`sqlite://${join(dir, 'ledger.db')}`)).close();
      const db = new Database(join(dir, 'ledger.db'), { readonly: true });
      try {
        const plan = db
          .prepare<[{ p1: number; p2: number; p3: number }], { detail: string }>(`EXPLAIN QUERY PLAN ${progressMomentsSql(SQLITE_PROGRESS_DIALECT)}`)
          .all({ p1: 0, p2: 1, p3: 1000 })
          .map((row) => row.detail)
          .join('\n');
        assert.match(plan, /SEARCH jit_decisions USING COVERING INDEX jit_decisions_action_object_at \(action=\?\)/);
        assert.equal(plan.match(/^SEARCH p /gm)?.length, 1, plan);
      } finally {
        db.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
