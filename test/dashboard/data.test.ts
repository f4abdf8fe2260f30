import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { answerHours, dashboardFigures, HOURLY_ANSWERS_READ, percentile } from '../../src/dashboard/data.js';
import { bulkRunView, formatCounts, formatDuration, formatRate } from '../../src/dashboard/bulk-runs.js';
import { ProgressHistoryCache, withLivePoint, withoutLeadingEmptyHours } from '../../src/dashboard/progress-history.js';
import { openLedger, type BulkRunRecord, type DecisionRecord, type Ledger, type ProgressBucket } from '../../src/ledger/index.js';
import { statusFigures } from '../../src/status/index.js';
import { NOW, seedStatusLedger } from '../status/seed-status-ledger.js';
import { ledgerKinds } from '../support/ledger-kinds.js';

const decision = (at: string, action: DecisionRecord['action'], reason: string, latencyInMs: number): DecisionRecord => ({
  at: new Date(at),
  correlationId: `c-${at}`,
  objectId: 'o-1',
  legacyId: '1',
  action,
  reason,
  latencyInMs,
});

for (const kind of ledgerKinds('dashboard-data')) {
  describe(`dashboard figures over the seeded status ledger (${kind.name})`, { skip: await kind.skip() }, () => {
    let ledger: Ledger;
    before(async () => {
      ledger = await openLedger(await kind.url());
      await seedStatusLedger(ledger, NOW);
    });
    after(async () => {
      await ledger?.close();
      await kind.cleanUp();
    });

    test('the progress is the status figures, and remaining is the pre-created accounts that have not moved', async () => {
      const figures = await dashboardFigures({ ledger, now: NOW, deadlineInMs: 1500 });
      assert.deepEqual(figures.status, await statusFigures({ ledger, days: 14, now: NOW }));
      assert.deepEqual(figures.progress, { at: NOW.toISOString(), preCreated: 12, migratedByExtension: 2, migratedByReset: 1, migratedBySignUp: 2, remaining: 8 });
      const { progress, status } = figures;
      assert.equal(progress.preCreated, progress.migratedByExtension + progress.migratedByReset + progress.remaining + status.releasedByCutover);
    });

    test("the progress over time comes from the ledger, and its last point is the figures' own", async () => {
      const { history, progress } = await dashboardFigures({ ledger, now: NOW, deadlineInMs: 1500 });
      assert.deepEqual(history.at(-1), progress);
      // Pre-created on 1 November, more than 14 days before NOW: every hour of the fortnight is shown.
      assert.equal(history.length, 14 * 24, 'NOW is on the hour: 336 whole hours, the last ending at NOW');
      assert.equal(history[0]!.at, '2026-11-16T13:00:00.000Z');
      assert.equal(history[0]!.preCreated, 12);
      assert.deepEqual([history[0]!.migratedBySignUp, history.find((point) => point.at === '2026-11-20T01:00:00.000Z')!.migratedBySignUp], [0, 1], 'the sign-up at midnight on 20 November');
    });

    test('the last bulk runs, newest first, as the ledger recorded them', async () => {
      const runs = await openLedger('memory:');
      try {
        for (let i = 0; i < 12; i++) {
          await runs.recordBulkRun({ id: `00000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`, command: 'reconcile', startedAt: new Date(NOW.getTime() - (12 - i) * 60_000), finishedAt: null, outcome: 'running', dryRun: false, counts: { checked: i }, graphRequests: i, throttled: 0, budgetPerSecond: 16 });
        }
        const { bulkRuns } = await dashboardFigures({ ledger: runs, now: NOW, deadlineInMs: 1500 });
        assert.deepEqual(bulkRuns.map((run) => run.counts.checked), [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
        assert.equal(bulkRuns[0]!.durationInMs, 60_000);
        assert.deepEqual((await dashboardFigures({ ledger, now: NOW, deadlineInMs: 1500 })).bulkRuns, []);
      } finally {
        await runs.close();
      }
    });

    test('the last 24 hours: the seeded answers in their hours with their latencies; later and older ones left out', async () => {
      const { hours, deadlineInMs, entraTimeoutInMs } = await dashboardFigures({ ledger, now: NOW, deadlineInMs: 1500 });
      assert.equal(hours.perHour.length, 24);
      assert.equal(hours.perHour[0]!.hour, '2026-11-29T13:00:00.000Z');
      assert.equal(hours.perHour.at(-1)!.hour, '2026-11-30T12:00:00.000Z');
      assert.equal(hours.complete, true);
      const shown = hours.perHour.filter((hour) => hour.answers > 0);
      assert.deepEqual(
        shown.map((hour) => [hour.hour.slice(11, 13), hour.byColumn.MigratePassword, hour.byColumn['sign-up'], hour.p50LatencyInMs, hour.p95LatencyInMs, hour.p99LatencyInMs]),
        [['01', 1, 0, 10, 10, 10], ['02', 1, 0, 60, 60, 60], ['03', 0, 2, 70, 80, 80]],
      );
      assert.equal(hours.perHour[0]!.p50LatencyInMs, null);
      assert.deepEqual([deadlineInMs, entraTimeoutInMs], [1500, 2000]);
    });

    test('anomalies: not applied, failed and pending pre-creations, with what to do', async () => {
      const { anomalies } = await dashboardFigures({ ledger, now: NOW, deadlineInMs: 1500 });
      assert.deepEqual(anomalies.map((a) => [a.kind, a.count]), [['not-applied', 1], ['failed-pre-creation', 1], ['pending-creation', 1], ['unavailable-answers', 1]]);
      assert.match(anomalies[0]!.advice, /entra-migrate reconcile/);
    });

    test('an empty ledger shows zeros and nothing to attend to', async () => {
      const empty = await openLedger('memory:');
      try {
        const figures = await dashboardFigures({ ledger: empty, now: NOW, deadlineInMs: 1500 });
        assert.deepEqual(figures.anomalies, []);
        assert.equal(figures.progress.remaining, 0);
        assert.ok(figures.hours.perHour.every((hour) => hour.answers === 0 && hour.p99LatencyInMs === null));
      } finally {
        await empty.close();
      }
    });
  });
}

describe('answers per hour', () => {
  const now = new Date('2026-12-02T10:30:00.000Z');

  test('Block is split into locked and unavailable by its reason, sign-ups counted apart, answers over the deadline counted', () => {
    const { perHour } = answerHours(
      [
        decision('2026-12-02T10:10:00Z', 'Block', 'legacy-account-blocked', 40),
        decision('2026-12-02T10:05:00Z', 'Block', 'legacy-store-unavailable', 1600),
        decision('2026-12-02T10:04:00Z', 'Block', 'deadline-exceeded', 1900),
        decision('2026-12-02T10:03:00Z', 'Retry', 'password-wrong', 30),
        decision('2026-12-02T10:02:00Z', 'UpdatePassword', 'password-correct-policy-too-short', 20),
        decision('2026-12-02T09:59:59.999Z', 'modifyAttributeValues', 'migrated-by-sign-up', 10),
      ],
      now,
      1500,
    );
    const current = perHour.at(-1)!;
    assert.deepEqual(current.byColumn, { MigratePassword: 0, UpdatePassword: 1, Retry: 1, 'Block-locked': 1, 'Block-unavailable': 2, 'sign-up': 0 });
    assert.equal(current.overDeadline, 2);
    assert.deepEqual([current.p50LatencyInMs, current.p95LatencyInMs, current.p99LatencyInMs], [40, 1900, 1900]);
    assert.equal(perHour.at(-2)!.byColumn['sign-up'], 1);
  });

  test("the legacy check's time and its share of each answer, from the answers that record it", () => {
    const timed = (at: string, latencyInMs: number, legacyLatencyInMs: number | null | undefined): DecisionRecord => ({ ...decision(at, 'MigratePassword', 'password-correct', latencyInMs), ...(legacyLatencyInMs !== undefined && { legacyLatencyInMs }) });
    const { perHour } = answerHours(
      [
        timed('2026-12-02T10:20:00Z', 100, 80),
        timed('2026-12-02T10:15:00Z', 200, 50),
        timed('2026-12-02T10:10:00Z', 400, 100),
        timed('2026-12-02T10:05:00Z', 50, null), // no legacy check (a Retry before it, a store down)
        timed('2026-12-02T10:04:00Z', 0, 0), // no share of nothing
        timed('2026-12-02T10:03:00Z', 10, 30), // a clock step: the share stays at most 1
        timed('2026-12-02T09:30:00Z', 300, undefined),
      ],
      now,
      1500,
    );
    const current = perHour.at(-1)!;
    assert.equal(current.answers, 6);
    assert.equal(current.legacyChecks, 5);
    assert.deepEqual([current.legacyP50LatencyInMs, current.legacyP95LatencyInMs], [50, 100]); // 0, 30, 50, 80, 100
    assert.equal(current.legacyShareP50, 0.25); // 0.25, 0.25, 0.8, 1
    const earlier = perHour.at(-2)!;
    assert.deepEqual([earlier.answers, earlier.legacyChecks, earlier.legacyP50LatencyInMs, earlier.legacyShareP50], [1, 0, null, null]);
  });

  test('a full listing whose oldest answer is inside the window is marked incomplete', () => {
    const full = Array.from({ length: HOURLY_ANSWERS_READ }, () => decision('2026-12-02T10:00:00Z', 'MigratePassword', 'password-correct', 5));
    assert.equal(answerHours(full, now, 1500).complete, false);
    full[full.length - 1] = decision('2026-11-30T10:00:00Z', 'MigratePassword', 'password-correct', 5);
    assert.equal(answerHours(full, now, 1500).complete, true);
  });

  test('percentile_disc as PostgreSQL defines it', () => {
    assert.equal(percentile([], 0.5), null);
    assert.equal(percentile([10, 60, 70, 80, 2000], 0.5), 70);
    assert.equal(percentile([10, 60, 70, 80, 2000], 0.99), 2000);
    assert.equal(percentile([20, 30, 1000], 0.95), 1000);
  });
});

describe('progress history: the hours shown', () => {
  const bucket = (hour: number, preCreated: number, migratedBySignUp = 0): ProgressBucket => ({
    at: new Date(Date.UTC(2026, 11, 2, hour)),
    preCreated,
    migratedByExtension: 0,
    migratedByReset: 0,
    migratedBySignUp,
    releasedByCutover: 0,
    remaining: preCreated,
  });

  test('hours before the first account go but for one; a ledger with nothing keeps its last point only', () => {
    assert.deepEqual(withoutLeadingEmptyHours([bucket(1, 0), bucket(2, 0), bucket(3, 0), bucket(4, 5), bucket(5, 6)]).map((b) => b.at.getUTCHours()), [3, 4, 5]);
    assert.deepEqual(withoutLeadingEmptyHours([bucket(1, 0), bucket(2, 0, 1)]).map((b) => b.at.getUTCHours()), [1, 2], 'a sign-up counts as something');
    assert.deepEqual(withoutLeadingEmptyHours([bucket(1, 3), bucket(2, 3)]).length, 2, 'a migration older than the range keeps every hour');
    assert.deepEqual(withoutLeadingEmptyHours([bucket(1, 0), bucket(2, 0)]).map((b) => b.at.getUTCHours()), [2]);
  });
});

describe('progress history: read once a minute, the point now always fresh', () => {
  test('the hours past are reused for a minute and within the hour; a new hour or a failed reading reads again', async () => {
    const ledger = await openLedger('memory:');
    try {
      await seedStatusLedger(ledger, NOW);
      let reads = 0;
      let failNext = false;
      const counting: Ledger = Object.create(ledger, {
        progressHistory: {
          value: async (filter: Parameters<Ledger['progressHistory']>[0]) => {
            reads += 1;
            if (failNext) throw Object.assign(new Error('gone'), { code: 'LEDGER_UNAVAILABLE' });
            return ledger.progressHistory(filter);
          },
        },
      });
      const cache = new ProgressHistoryCache(counting, { rereadAfterInMs: 60_000 });
      const at = (ms: number) => new Date(NOW.getTime() + ms);
      await cache.points(at(1000));
      await cache.points(at(30_000));
      assert.equal(reads, 1, 'reused inside the minute');
      await cache.points(at(61_000));
      assert.equal(reads, 2, 'read again after a minute');
      const nextHour = await cache.points(at(3_600_000));
      assert.equal(reads, 3, 'read again in a new hour');
      assert.equal(nextHour.at(-1)!.at, at(3_600_000).toISOString());
      failNext = true;
      await assert.rejects(cache.points(at(3_700_000)), /gone/);
      failNext = false;
      await cache.points(at(3_701_000));
      assert.equal(reads, 5, 'a failed reading is not reused');

      const live = { ...nextHour.at(-1)!, at: at(3_650_000).toISOString(), migratedByExtension: 99 };
      const shown = withLivePoint(nextHour, live);
      assert.deepEqual(shown.at(-1), live);
      assert.deepEqual(shown.slice(0, -1), nextHour.slice(0, -1));
    } finally {
      await ledger.close();
    }
  });
});

describe('bulk runs as the panel shows them', () => {
  const run = (overrides: Partial<BulkRunRecord> = {}): BulkRunRecord => ({
    id: '0b9d6a52-6a4f-4f8e-9c3a-2d1e0f4b5a61',
    command: 'premigrate',
    startedAt: new Date('2026-12-02T10:00:00Z'),
    finishedAt: new Date('2026-12-02T10:10:00Z'),
    outcome: 'completed',
    dryRun: false,
    counts: { read: 9000, created: 8990 },
    graphRequests: 9000,
    throttled: 3,
    budgetPerSecond: 16,
    ...overrides,
  });
  const now = new Date('2026-12-02T11:00:00Z');

  test('the rate achieved is the Graph requests over the run, against the budget; a running run lasts until now', () => {
    const done = bulkRunView(run(), now);
    assert.deepEqual([done.durationInMs, done.requestsPerSecond, formatRate(done), formatDuration(done.durationInMs)], [600_000, 15, '15.0/s of 16/s', '10 min 0 s']);
    const running = bulkRunView(run({ finishedAt: null, outcome: 'running', budgetPerSecond: null, graphRequests: 360 }), now);
    assert.deepEqual([running.durationInMs, running.requestsPerSecond, formatRate(running), formatDuration(running.durationInMs)], [3_600_000, 0.1, '0.1/s (unpaced)', '1 h 0 min']);
    const instant = bulkRunView(run({ finishedAt: new Date('2026-12-02T10:00:00.400Z') }), now);
    assert.deepEqual([instant.requestsPerSecond, formatRate(instant), formatDuration(instant.durationInMs)], [null, '–', '0 s']);
    assert.equal(formatRate({ requestsPerSecond: 16.666, budgetPerSecond: 16.6666 }), '16.7/s of 16.67/s');
    assert.equal(formatCounts({ read: 12345, failed: 0 }), 'read 12,345, failed 0');
    assert.equal(formatCounts({}), '–');
  });
});

describe('the read-only ledger the dashboard holds', () => {
  test('reads pass through; every write is refused and changes nothing', async () => {
    const { readOnlyLedger } = await import('../../src/dashboard/read-only-ledger.js');
    const ledger = await openLedger('memory:');
    try {
      await seedStatusLedger(ledger, NOW);
      const reader = readOnlyLedger(ledger);
      const before = await reader.countAccounts();
      assert.equal(reader.kind, 'memory');
      const record = decision('2026-12-02T10:00:00Z', 'MigratePassword', 'password-correct', 5);
      await assert.rejects(reader.recordDecision(record), { code: 'LEDGER_RECORD_INVALID' });
      await assert.rejects(reader.recordAccount({ legacyId: 'new', email: 'n@example.com', state: 'created', entraObjectId: 'o-new', reason: null, updatedAt: NOW }), { code: 'LEDGER_RECORD_INVALID' });
      for (const write of ['recordReconciliation', 'recordMark', 'recordProfile', 'recordEventCall'] as const) await assert.rejects((reader[write] as () => Promise<void>)(), { code: 'LEDGER_RECORD_INVALID' }, write);
      const run = { id: '6f1c2a4e-1b2c-4d3e-8f40-5a6b7c8d9e0f', command: 'premigrate', startedAt: NOW, finishedAt: null, outcome: 'running', dryRun: false, counts: {}, graphRequests: 0, throttled: 0, budgetPerSecond: null } as const;
      await assert.rejects(reader.recordBulkRun({ ...run, counts: {} }), { code: 'LEDGER_RECORD_INVALID' });
      assert.deepEqual(await ledger.listBulkRuns(), []);
      // Every method that writes is named record…: a write added to the ledger later is refused without a change here.
      const writes = Object.keys(ledger).filter((name) => name.startsWith('record'));
      assert.ok(writes.length >= 7, writes.join());
      for (const write of writes) await assert.rejects((reader[write as keyof typeof reader] as () => Promise<void>)(), { code: 'LEDGER_RECORD_INVALID' }, write);
      assert.deepEqual(await ledger.countAccounts(), before);
      assert.equal(await ledger.countDecisions(), (await reader.listDecisions({ limit: 10_000 })).length);
    } finally {
      await ledger.close();
    }
  });
});
