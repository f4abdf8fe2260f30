import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { reportedRun, startRunReport } from '../../../src/bulk/run-report/bulk-run-report.js';
import { CUTOVER_COUNTERS, PREMIGRATE_COUNTERS, RECONCILE_COUNTERS, SYNC_COUNTERS } from '../../../src/bulk/run-report/counter-tables.js';
import { countsOf } from '../../../src/bulk/run-report/run-counters.js';
import { emptySummary } from '../../../src/bulk/premigrate-summary.js';
import { emptyCutoverSummary } from '../../../src/bulk/steps/cutover-summary.js';
import { emptyReconcileSummary } from '../../../src/bulk/steps/reconcile-summary.js';
import { emptySyncSummary } from '../../../src/bulk/steps/sync-summary.js';
import { MAX_BULK_RUN_COUNTS, type BulkRunRecord } from '../../../src/ledger/index.js';

/** A ledger slow to write a `running` record and quick to write the end (the worst case for order), keeping each as it lands. */
function slowLedger(runningInMs: number) {
  const landed: BulkRunRecord[] = [];
  return { landed, recordBulkRun: async (run: BulkRunRecord) => void (await delay(run.outcome === 'running' ? runningInMs : 1), landed.push(structuredClone(run))) };
}

describe('startRunReport', () => {
  test('records running at start, again every period with the counts so far, and the end last — never a running after it', async () => {
    const ledger = slowLedger(25);
    const summary = emptySummary();
    const report = startRunReport({ table: PREMIGRATE_COUNTERS, summary, ledger, dryRun: false, budgetPerSecond: 18, now: Date.now, onWarning: assert.fail, recordEveryInMs: 20 });
    assert.equal(summary.runId, report.id);
    for (let i = 0; i < 10; i++) {
      summary.read++;
      summary.created++;
      summary.graphRequests += 2;
      await delay(10);
    }
    await report.finish('completed');
    const outcomes = ledger.landed.map((run) => run.outcome);
    assert.equal(outcomes.at(-1), 'completed');
    assert.ok(outcomes.slice(0, -1).every((outcome) => outcome === 'running'), outcomes.join(' '));
    assert.ok(outcomes.length >= 3, `the start, at least one periodic record, the end: ${outcomes.join(' ')}`);
    const created = ledger.landed.map((run) => run.counts.created!);
    assert.deepEqual(created, [...created].sort((a, b) => a - b), 'each record holds at least what the one before did');
    assert.ok(ledger.landed.slice(1, -1).some((run) => run.counts.created! > 0 && run.counts.created! < 10), `a periodic record holds the counts so far: ${created.join(' ')}`);
    assert.deepEqual({ ...ledger.landed.at(-1)!, startedAt: null, finishedAt: null }, {
      id: report.id,
      command: 'premigrate',
      startedAt: null,
      finishedAt: null,
      outcome: 'completed',
      dryRun: false,
      counts: { read: 10, created: 10, existing: 0, skipped: 0, failed: 0, rejected: 0, duplicates: 0, wouldCreate: 0, methodsAdded: 0, methodsFailed: 0 },
      graphRequests: 20,
      throttled: 0,
      budgetPerSecond: 18,
    });
    assert.equal(new Set(ledger.landed.map((run) => run.id)).size, 1, 'one id: insert, then replace');
    const count = ledger.landed.length;
    await delay(60);
    assert.equal(ledger.landed.length, count, 'nothing is written once the run has finished');
  });

  test('the end is written after a record still on its way, so a slow ledger never ends on running', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const landed: string[] = [];
    const ledger = { recordBulkRun: async (run: BulkRunRecord) => void (run.outcome === 'running' && (await held), landed.push(run.outcome)) };
    const report = startRunReport({ table: SYNC_COUNTERS, summary: emptySyncSummary(true), ledger, dryRun: true, budgetPerSecond: null, now: Date.now, onWarning: assert.fail });
    const finished = report.finish('interrupted');
    await delay(20);
    assert.deepEqual(landed, [], 'the end waits for the start');
    release();
    await finished;
    assert.deepEqual(landed, ['running', 'interrupted']);
  });

  test('a ledger that fails every write warns once; reportedRun still returns the summary, or rethrows the run\'s own error', async () => {
    const warnings: string[] = [];
    const broken = { recordBulkRun: async () => Promise.reject(new Error('connection refused to postgres://user:secret@db/ledger')) };
    const summary = emptyReconcileSummary();
    const report = startRunReport({ table: RECONCILE_COUNTERS, summary, ledger: broken, dryRun: false, budgetPerSecond: null, now: Date.now, onWarning: (line) => warnings.push(line), recordEveryInMs: 5 });
    await delay(30);
    assert.equal(await reportedRun(report, summary, async () => void summary.read++), summary);
    assert.equal(warnings.length, 1);
    assert.doesNotMatch(warnings[0]!, /secret|postgres:/, 'an error that is not ours is named, never quoted');

    const failing = emptyReconcileSummary();
    const landed: BulkRunRecord[] = [];
    const failingReport = startRunReport({ table: RECONCILE_COUNTERS, summary: failing, ledger: { recordBulkRun: async (run) => void landed.push(run) }, dryRun: false, budgetPerSecond: null, now: Date.now, onWarning: assert.fail });
    await assert.rejects(reportedRun(failingReport, failing, async () => Promise.reject(new RangeError('boom'))), RangeError);
    assert.deepEqual(landed.map((run) => run.outcome), ['running', 'failed']);
  });

  test('every table keeps to the ledger\'s counts: tokens, at most 32, no key twice, the Graph counters apart', () => {
    const tables = [
      [PREMIGRATE_COUNTERS, emptySummary()],
      [SYNC_COUNTERS, emptySyncSummary(false)],
      [RECONCILE_COUNTERS, emptyReconcileSummary()],
      [CUTOVER_COUNTERS, emptyCutoverSummary(false)],
    ] as const;
    for (const [table, summary] of tables) {
      const keys = table.counters.map((counter) => counter.key);
      assert.equal(new Set(keys).size, keys.length, table.command);
      const counts = countsOf(table as never, summary);
      assert.ok(Object.keys(counts).length <= MAX_BULK_RUN_COUNTS);
      for (const key of Object.keys(counts)) assert.match(key, /^[A-Za-z][A-Za-z0-9]*$/);
      assert.ok(!('graphRequests' in counts) && !('throttled' in counts), 'kept in fields of their own');
      for (const counter of table.counters) assert.match(counter.metric, /^entra_migrate\.(premigrate|premigrate_sync|reconcile|cutover|graph)\.(read|accounts|requests|throttled)$/);
    }
  });
});
