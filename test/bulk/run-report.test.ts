import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { premigrate, readSource, type PremigrateSummary } from '../../src/bulk/index.js';
import { reconcile } from '../../src/bulk/reconcile.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { GraphError, GraphErrorCode, type BatchRequest, type GraphBatchClient } from '../../src/graph/index.js';
import { LedgerError, LedgerErrorCode, openLedger, type BulkRunRecord, type Ledger } from '../../src/ledger/index.js';
import { defineExtensionProperty } from '../support/flag-property.js';
import { emulatedGraph } from './emulated-graph.js';

const CLIENT_ID = '51111111-2222-4333-8444-555555555555';
const SECRET = 'run-report-secret';

// The SDK the CLI starts when OTLP or Application Insights is configured, here with an in-memory exporter: the
// counters the runs push through @opentelemetry/api's global meter land in it. Delta temporality: each read is what
// was pushed since the last one.
const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
const provider = new MeterProvider({ readers: [reader] });
assert.ok(metrics.setGlobalMeterProvider(provider), 'no other global meter provider in this process');

/** What the counters gained since the last call, by `name{attribute=value,…}` (attributes sorted). */
async function pushed(): Promise<Map<string, number>> {
  await reader.forceFlush();
  const points = new Map<string, number>();
  for (const resource of exporter.getMetrics()) {
    for (const scope of resource.scopeMetrics) {
      for (const metric of scope.metrics) {
        for (const point of metric.dataPoints) {
          const attributes = Object.entries(point.attributes).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `${key}=${String(value)}`);
          const key = `${metric.descriptor.name}{${attributes.join(',')}}`;
          points.set(key, (points.get(key) ?? 0) + (point.value as number));
        }
      }
    }
  }
  exporter.reset();
  return points;
}

/** The premigrate counters named by their --json keys, as docs/premigrate.md maps them. */
const PREMIGRATE_RESULTS = ['created', 'existing', 'skipped', 'failed', 'rejected', 'duplicates', 'wouldCreate', 'methodsAdded', 'methodsFailed'] as const;

describe('bulk runs are recorded in the ledger and counted through OpenTelemetry', () => {
  let dir: string;
  let emulator: RunningEmulator;
  let flag: string;
  let client: GraphBatchClient;
  const sent: BatchRequest[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'run-report-'));
    // 20 writes a second: 40 creates sent at once hit the budget, so Graph answers some 429.
    emulator = await startEmulator({ port: 0, graph: { writeBudget: { perApp: 20, windowInMs: 1000 } } });
    flag = defineExtensionProperty(emulator);
    client = emulatedGraph(emulator, { clientId: CLIENT_ID, secret: SECRET, sent }).client;
  });
  after(async () => {
    await provider.shutdown();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  const jsonl = async (name: string, rows: unknown[]) => {
    const path = join(dir, name);
    await writeFile(path, rows.map((row) => (typeof row === 'string' ? row : JSON.stringify(row))).join('\n'));
    return path;
  };
  const users = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, email: `${prefix}${i}@legacy.example` }));
  const userBody = () => ({ tenantDomain: emulator.tenant.domain, flagAttribute: flag });
  /** A client counting, on the test's side, the sub-requests Graph answered and the 429s among them. */
  const tallied = (graph: GraphBatchClient) => {
    const tally = { answered: 0, tooMany: 0 };
    const counting: GraphBatchClient = {
      async send(requests, options) {
        const answers = await graph.send(requests, options);
        tally.answered += answers.length;
        tally.tooMany += answers.filter((answer) => answer.status === 429).length;
        return answers;
      },
    };
    return { tally, graph: counting };
  };
  /** The one run the ledger holds under this id, with its dates checked and left out. */
  const recordOf = async (ledger: Ledger, id: string): Promise<Omit<BulkRunRecord, 'startedAt' | 'finishedAt'>> => {
    const run = (await ledger.listBulkRuns()).find((candidate) => candidate.id === id);
    assert.ok(run, `run ${id} is in the ledger`);
    assert.ok(run.finishedAt && run.finishedAt >= run.startedAt, 'an ended run has its end');
    const { startedAt: _started, finishedAt: _finished, ...rest } = run;
    return rest;
  };

  test('premigrate pushes the counts its --json summary prints, and the ledger holds the run completed with them', async () => {
    const ledger = await openLedger('memory:');
    try {
      const file = await jsonl('premigrate.jsonl', [...users(40, 'p'), { id: 'no-mail' }, { id: 'bad', email: 'nope' }, 'not json', { id: 'p-0', email: 'again@legacy.example' }, { id: 'q', email: 'p1@legacy.example' }]);
      await pushed();
      const { tally, graph } = tallied(client);
      const summary = await premigrate({ source: readSource(file), ledger, graph, userBody: userBody(), budgetPerSecond: 20 });
      const json = JSON.parse(JSON.stringify(summary)) as PremigrateSummary;
      assert.deepEqual([json.read, json.created, json.rejected, json.duplicates, json.failed], [45, 40, 3, 2, 5]);
      assert.ok(json.throttled > 0, 'Graph throttled some creates');
      assert.deepEqual([json.graphRequests, json.throttled], [tally.answered, tally.tooMany], 'every sub-request and every 429, whichever step sent it');
      assert.match(json.runId, /^[0-9a-f-]{36}$/);

      const points = await pushed();
      assert.equal(points.get('entra_migrate.premigrate.read{dry_run=false}'), json.read);
      for (const result of PREMIGRATE_RESULTS) assert.equal(points.get(`entra_migrate.premigrate.accounts{dry_run=false,result=${result}}`) ?? 0, json[result], result);
      assert.equal(points.get('entra_migrate.graph.requests{command=premigrate,dry_run=false}'), json.graphRequests);
      assert.equal(points.get('entra_migrate.graph.throttled{command=premigrate,dry_run=false}'), json.throttled);
      assert.equal(points.get('entra_migrate.bulk.runs{command=premigrate,dry_run=false,outcome=completed}'), 1);

      assert.deepEqual(await recordOf(ledger, json.runId), {
        id: json.runId,
        command: 'premigrate',
        outcome: 'completed',
        dryRun: false,
        counts: { read: 45, created: 40, existing: 0, skipped: 0, failed: 5, rejected: 3, duplicates: 2, wouldCreate: 0, methodsAdded: 0, methodsFailed: 0 },
        graphRequests: json.graphRequests,
        throttled: json.throttled,
        budgetPerSecond: 20,
      });
    } finally {
      await ledger.close();
    }
  });

  test('a dry run is recorded as one and counted under dry_run=true; it writes no account', async () => {
    const ledger = await openLedger('memory:');
    try {
      await pushed();
      const summary = await premigrate({ source: readSource(await jsonl('dry.jsonl', users(5, 'dry'))), ledger, graph: client, userBody: userBody(), dryRun: true });
      assert.equal(summary.wouldCreate, 5);
      const points = await pushed();
      assert.equal(points.get('entra_migrate.premigrate.accounts{dry_run=true,result=wouldCreate}'), 5);
      assert.equal(points.get('entra_migrate.premigrate.accounts{dry_run=false,result=wouldCreate}'), undefined);
      const record = await recordOf(ledger, summary.runId);
      assert.deepEqual([record.dryRun, record.outcome, record.counts.wouldCreate, record.budgetPerSecond], [true, 'completed', 5, null]);
      assert.deepEqual(await ledger.countAccounts(), {});
    } finally {
      await ledger.close();
    }
  });

  test('reconcile pushes its accounts by confirmation and records each run', async () => {
    const ledger = await openLedger('memory:');
    try {
      const created = await premigrate({ source: readSource(await jsonl('reconcile.jsonl', users(4, 'r'))), ledger, graph: client, userBody: userBody() });
      assert.equal(created.created, 4);
      const objectId = emulator.directory.findUserBySignInName('r0@legacy.example')!.id;
      await ledger.recordDecision({ at: new Date(Date.now() - 60_000), correlationId: 'corr-r0', objectId, legacyId: 'r-0', action: 'MigratePassword', reason: 'password-correct', latencyInMs: 30 });
      emulator.directory.setExtensionAttribute(objectId, flag, false);

      await pushed();
      const summary = await reconcile({ ledger, graph: client, flagAttribute: flag, marker: null, budgetPerSecond: 300 });
      const json = JSON.parse(JSON.stringify(summary)) as typeof summary;
      assert.deepEqual([json.read, json.states['migrated-by-extension'], json.states.pending, json.graphRequests], [4, 1, 3, 4]);
      const points = await pushed();
      assert.equal(points.get('entra_migrate.reconcile.read{dry_run=false}'), 4);
      for (const [confirmation, count] of Object.entries(json.states)) assert.equal(points.get(`entra_migrate.reconcile.accounts{confirmation=${confirmation},dry_run=false}`) ?? 0, count, confirmation);
      assert.equal(points.get('entra_migrate.reconcile.accounts{dry_run=false,result=marked}') ?? 0, json.marked);
      assert.equal(points.get('entra_migrate.graph.requests{command=reconcile,dry_run=false}'), json.graphRequests);
      assert.deepEqual(await recordOf(ledger, json.runId), {
        id: json.runId,
        command: 'reconcile',
        outcome: 'completed',
        dryRun: false,
        counts: { read: 4, marked: 0, markFailures: 0, deletedInEntra: 0, flagMissing: 0, flagClearedElsewhere: 0, unanswered: 0, migratedByExtension: 1, migratedByReset: 0, pending: 3, notApplied: 0, releasedByCutover: 0 },
        graphRequests: 4,
        throttled: 0,
        budgetPerSecond: 300,
      });

      // Each run is a run of its own (each pass of --watch): the second reads the 3 pending again.
      const again = await reconcile({ ledger, graph: client, flagAttribute: flag, marker: null });
      assert.notEqual(again.runId, json.runId);
      assert.deepEqual((await recordOf(ledger, again.runId)).counts.read, 3);
      assert.equal((await ledger.listBulkRuns()).filter((run) => run.command === 'reconcile').length, 2);
    } finally {
      await ledger.close();
    }
  });

  test('an interrupted run is recorded interrupted, with what it did before the stop', async () => {
    const ledger = await openLedger('memory:');
    try {
      await pushed();
      const stop = new AbortController();
      const summary = await premigrate({
        source: readSource(await jsonl('interrupted.jsonl', users(100, 'int'))),
        ledger,
        graph: client,
        userBody: userBody(),
        concurrency: 1,
        abortSignal: stop.signal,
        // After the first batch settles: the next batches are never sent.
        onProgress: (progress) => void (progress.created > 0 && stop.abort()),
      });
      assert.equal(summary.interrupted, true);
      assert.ok(summary.created > 0 && summary.created < 100, `some created, not all: ${summary.created}`);
      const record = await recordOf(ledger, summary.runId);
      assert.deepEqual([record.outcome, record.counts.created, record.graphRequests], ['interrupted', summary.created, summary.graphRequests]);
      const points = await pushed();
      assert.equal(points.get('entra_migrate.bulk.runs{command=premigrate,dry_run=false,outcome=interrupted}'), 1);
      assert.equal(points.get('entra_migrate.premigrate.accounts{dry_run=false,result=created}'), summary.created);
    } finally {
      await ledger.close();
    }
  });

  test('a run that fails is recorded failed, and the error goes on to the caller', async () => {
    const ledger = await openLedger('memory:');
    try {
      await pushed();
      const refusing: GraphBatchClient = {
        async send() {
          throw new GraphError(GraphErrorCode.REQUEST_FAILED, 'Graph refused the $batch with HTTP 403.');
        },
      };
      await assert.rejects(premigrate({ source: readSource(await jsonl('failing.jsonl', users(3, 'fail'))), ledger, graph: refusing, userBody: userBody() }), { code: 'GRAPH_REQUEST_FAILED' });
      const [run] = await ledger.listBulkRuns();
      assert.deepEqual([run?.command, run?.outcome, run?.counts.read, run?.graphRequests], ['premigrate', 'failed', 3, 0]);
      assert.ok(run?.finishedAt, "a failed run has its end");
      const points = await pushed();
      assert.equal(points.get('entra_migrate.bulk.runs{command=premigrate,dry_run=false,outcome=failed}'), 1);
    } finally {
      await ledger.close();
    }
  });

  test('a ledger that refuses the run record does not fail the run: one warning line, the accounts recorded', async () => {
    const ledger = await openLedger('memory:');
    try {
      let attempts = 0;
      const refusingRuns = new Proxy(ledger, {
        get(target, property, receiver) {
          if (property === 'recordBulkRun') {
            return async () => {
              attempts++;
              throw new LedgerError(LedgerErrorCode.UNAVAILABLE, 'The ledger database cannot be written.');
            };
          }
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const warnings: string[] = [];
      const summary = await premigrate({ source: readSource(await jsonl('refused.jsonl', users(6, 'ref'))), ledger: refusingRuns, graph: client, userBody: userBody(), onWarning: (line) => warnings.push(line) });
      assert.equal(summary.created, 6);
      assert.deepEqual(await ledger.countAccounts(), { created: 6 });
      assert.ok(attempts >= 2, 'the start and the end were both tried');
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /^the run record could not be written to the ledger \(LEDGER_UNAVAILABLE: The ledger database cannot be written\.\); the run goes on/);
      assert.deepEqual(await ledger.listBulkRuns(), []);
    } finally {
      await ledger.close();
    }
  });
});
