import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { premigrate, readSource } from '../../src/bulk/index.js';
import { cutover, type CutoverSummary } from '../../src/bulk/cutover.js';
import { reconcile } from '../../src/bulk/reconcile.js';
import { releasedAccounts } from '../../src/bulk/steps/cutover-notify.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createClientSecretCredential, createGraphBatchClient, createPacer, type BatchRequest, type BatchResponse, type GraphBatchClient } from '../../src/graph/index.js';
import { openLedger, type Ledger } from '../../src/ledger/index.js';
import { defineExtensionProperty } from '../support/flag-property.js';
import { SERVICES, skipUnlessService } from '../support/services.js';

const CLIENT_ID = '41111111-2222-4333-8444-555555555555';
const SECRET = 'cutover-secret';
const HOUR = 3_600_000;
const pgSchema = `cutover_test_${process.pid}_${Date.now()}`;

/** The story: two migrated accounts (by the extension, by a reset), one answered but never applied, and stragglers. */
const MIGRATED = ['by-extension', 'by-reset'];
const STRAGGLERS = ['never-1', 'never-2', 'never-3', 'not-applied'];

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

/** An emulator with `ids` pre-created (flag true) by premigrate into `ledger`, and a Graph client that keeps what it sent. */
async function story(ledgerUrl: (dir: string) => string, ids: readonly string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'cutover-'));
  let shiftInMs = 0;
  const emulator = await startEmulator({ port: 0, now: () => Date.now() + shiftInMs });
  emulator.registerClientApp(CLIENT_ID, SECRET);
  const flag = defineExtensionProperty(emulator);
  const client = createGraphBatchClient({
    baseUrl: emulator.url,
    credential: createClientSecretCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: CLIENT_ID, clientSecret: SECRET }),
    pacer: createPacer({ ratePerSecond: 500 }),
  });
  const sent: BatchRequest[] = [];
  const graph: GraphBatchClient = { send: (requests, options) => (sent.push(...requests), client.send(requests, options)) };
  const ledger = await openLedger(ledgerUrl(dir));
  const source = join(dir, 'users.jsonl');
  await writeFile(source, ids.map((id) => JSON.stringify({ id, email: `${id}@legacy.example`, display_name: id })).join('\n'));
  const created = await premigrate({ source: readSource(source), ledger, graph: client, userBody: { tenantDomain: emulator.tenant.domain, flagAttribute: flag } });
  assert.equal(created.created, ids.length);
  const objectIdOf = (legacyId: string) => emulator.directory.findUserBySignInName(`${legacyId}@legacy.example`)!.id;
  const flagOf = (legacyId: string) => emulator.directory.getExtensionAttributes(objectIdOf(legacyId))[flag];
  const close = async () => {
    await ledger.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, emulator, flag, graph, client, sent, ledger, objectIdOf, flagOf, close, shift: (ms: number) => void (shiftInMs = ms) };
}

for (const kind of LEDGERS) {
  const skip = await kind.skip();
  describe(`cutover against the emulated Graph, ledger in ${kind.name}`, { skip }, () => {
    let s: Awaited<ReturnType<typeof story>>;
    const run = (apply: boolean, extra: { ledger?: Ledger; graph?: GraphBatchClient } = {}): Promise<CutoverSummary> =>
      cutover({ ledger: extra.ledger ?? s.ledger, reader: s.graph, writer: extra.graph ?? s.graph, flagAttribute: s.flag, apply });

    before(async () => {
      s = await story(kind.url, [...MIGRATED, ...STRAGGLERS]);
      const answer = (legacyId: string, correlationId: string, minutesAgo: number) =>
        s.ledger.recordDecision({ at: new Date(Date.now() - minutesAgo * 60_000), correlationId, objectId: s.objectIdOf(legacyId), legacyId, action: 'MigratePassword', reason: 'password-correct', latencyInMs: 40 });
      await answer('by-extension', 'corr-ext', 5);
      s.emulator.directory.setExtensionAttribute(s.objectIdOf('by-extension'), s.flag, false);
      await answer('not-applied', 'corr-na', 90);
      s.shift(HOUR);
      await s.emulator.directory.setPassword(s.objectIdOf('by-reset'), 'an-unused-new-password-1');
      s.emulator.directory.setExtensionAttribute(s.objectIdOf('by-reset'), s.flag, false);
      // A user deleted in Entra after phase 1: the ledger holds an object id Graph no longer knows.
      await s.ledger.recordAccount({ legacyId: 'deleted', email: 'deleted@legacy.example', state: 'created', entraObjectId: '00000000-0000-4000-8000-00000000dead', reason: null, updatedAt: new Date() });
    });
    after(() => s?.close());

    test('a dry run reads Graph, counts the stragglers, and writes nothing anywhere', async () => {
      s.sent.length = 0;
      const summary = await run(false);
      assert.equal(summary.applied, false);
      assert.equal(summary.read, 6);
      assert.equal(summary.stragglers, 4);
      assert.equal(summary.notApplied, 1);
      assert.equal(summary.migrated, 2);
      assert.equal(summary.released, 0);
      assert.deepEqual(summary.deletedInEntra, [{ legacyId: 'deleted', objectId: '00000000-0000-4000-8000-00000000dead' }]);
      assert.ok(s.sent.every((request) => request.method === 'GET'), 'reads only');
      for (const id of STRAGGLERS) assert.equal(s.flagOf(id), true);
      assert.equal(summary.releasedInAll, 0);
      assert.equal(await s.ledger.reconciliation('never-1'), undefined, 'nothing recorded');
    });

    test('--apply clears the flag of the stragglers only and records each released-by-cutover', async () => {
      s.sent.length = 0;
      const summary = await run(true);
      assert.equal(summary.stragglers, 4);
      assert.equal(summary.released, 4);
      assert.deepEqual(summary.failures, []);
      assert.equal(summary.releasedInAll, 4);
      const patches = s.sent.filter((request) => request.method === 'PATCH');
      assert.deepEqual(patches.map((request) => request.url).sort(), STRAGGLERS.map((id) => `/users/${s.objectIdOf(id)}`).sort());
      assert.ok(patches.every((request) => JSON.stringify(request.body) === JSON.stringify({ [s.flag]: false })));
      for (const id of STRAGGLERS) {
        assert.equal(s.flagOf(id), false, id);
        const recorded = (await s.ledger.reconciliation(id))!;
        assert.equal(recorded.confirmation, 'released-by-cutover');
        assert.equal(recorded.confirmedAt, null, 'never "migrated"');
      }
      assert.equal(s.flagOf('by-extension'), false);
      assert.equal(await s.ledger.reconciliation('by-extension'), undefined, 'migrated accounts are left to reconcile');
    });

    test('a second --apply is a no-op: released accounts are not read again, nothing is written', async () => {
      s.sent.length = 0;
      const summary = await run(true);
      assert.equal(summary.stragglers, 0);
      assert.equal(summary.released, 0);
      assert.equal(summary.releasedInAll, 4);
      assert.ok(!s.sent.some((request) => request.method === 'PATCH'));
      assert.ok(!s.sent.some((request) => STRAGGLERS.some((id) => request.url.includes(s.objectIdOf(id)))));
    });

    test('reconcile then counts them released-by-cutover, never as resets, even after they reset their password', async () => {
      await s.emulator.directory.setPassword(s.objectIdOf('never-1'), 'a-new-password-after-cutover-1');
      const summary = await reconcile({ ledger: s.ledger, graph: s.graph, flagAttribute: s.flag, marker: null });
      assert.equal(summary.totals['released-by-cutover'], 4);
      assert.equal(summary.states['migrated-by-reset'], 1, 'by-reset alone');
      assert.equal(summary.states['released-by-cutover'], 0);
      assert.equal((await s.ledger.reconciliation('never-1'))!.confirmation, 'released-by-cutover');
    });

    test('the notify listing holds every released account with its e-mail', async () => {
      const listed = [];
      for await (const account of releasedAccounts(s.ledger, 4, 2)) listed.push(account);
      assert.deepEqual(listed, STRAGGLERS.slice().sort().map((id) => ({ legacyId: id, email: `${id}@legacy.example`, displayName: null })));
    });
  });
}

describe('cutover stopped, failing and resumed', () => {
  const MANY = Array.from({ length: 60 }, (_, i) => `user-${String(i).padStart(2, '0')}`);
  let s: Awaited<ReturnType<typeof story>>;
  before(async () => {
    s = await story(LEDGERS[0]!.url, MANY);
  });
  after(() => s?.close());

  test('an interrupted --apply stops after the batches in flight; run again, it releases the rest', async () => {
    const controller = new AbortController();
    const first = await cutover({
      ledger: s.ledger,
      reader: s.graph,
      writer: s.graph,
      flagAttribute: s.flag,
      apply: true,
      concurrency: 1,
      abortSignal: controller.signal,
      onProgress: (progress) => {
        if (progress.released > 0) controller.abort();
      },
    });
    assert.equal(first.interrupted, true);
    assert.ok(first.released > 0 && first.released < MANY.length, `released ${first.released}`);
    const cleared = MANY.filter((id) => s.flagOf(id) === false).length;
    assert.equal(first.releasedInAll, cleared, 'every cleared flag is recorded');
    const resumed = await cutover({ ledger: s.ledger, reader: s.graph, writer: s.graph, flagAttribute: s.flag, apply: true });
    assert.equal(resumed.interrupted, false);
    assert.equal(resumed.released, MANY.length - first.released);
    assert.equal(resumed.releasedInAll, MANY.length);
    assert.ok(MANY.every((id) => s.flagOf(id) === false));
  });

  test('a crash between a PATCH and its record: the next run finds the flag cleared and records it without a write', async () => {
    const more = await story(LEDGERS[0]!.url, ['crash-a', 'crash-b']);
    try {
      const crashing = new Proxy(more.ledger, {
        get: (target, name) => (name === 'recordReconciliation' ? async () => Promise.reject(new Error('killed')) : Reflect.get(target, name)),
      });
      await assert.rejects(cutover({ ledger: crashing, reader: more.graph, writer: more.graph, flagAttribute: more.flag, apply: true }), /killed/);
      assert.equal(more.flagOf('crash-a'), false, 'Graph cleared it before the crash');
      more.sent.length = 0;
      const resumed = await cutover({ ledger: more.ledger, reader: more.graph, writer: more.graph, flagAttribute: more.flag, apply: true });
      assert.equal(resumed.alreadyCleared, 2);
      assert.equal(resumed.released, 0);
      assert.equal(resumed.releasedInAll, 2);
      assert.ok(!more.sent.some((request) => request.method === 'PATCH'));
    } finally {
      await more.close();
    }
  });

  test('a flag Graph will not clear is listed with its status and left for the next run; throttled PATCHes are sent again', async () => {
    const more = await story(LEDGERS[0]!.url, ['refused', 'throttled', 'fine']);
    try {
      const refusedId = more.objectIdOf('refused');
      const throttledId = more.objectIdOf('throttled');
      let throttles = 1;
      // Graph's answers for one PATCH replaced: a 400 for one user, one 429 with Retry-After for another.
      const faulty: GraphBatchClient = {
        send: async (requests, options) => {
          const answers = await more.graph.send(requests.filter((request) => !(request.method === 'PATCH' && (request.url.includes(refusedId) || (request.url.includes(throttledId) && throttles > 0)))), options);
          return requests.map((request): BatchResponse => {
            if (request.method === 'PATCH' && request.url.includes(refusedId)) return { id: request.id, status: 400, headers: {}, body: { error: { code: 'Request_BadRequest', message: 'Invalid value specified for property.' } } };
            if (request.method === 'PATCH' && request.url.includes(throttledId) && throttles > 0) return (throttles--, { id: request.id, status: 429, headers: { 'Retry-After': '0' }, body: null });
            return answers.find((answer) => answer.id === request.id)!;
          });
        },
      };
      const summary = await cutover({ ledger: more.ledger, reader: more.graph, writer: faulty, flagAttribute: more.flag, apply: true });
      assert.deepEqual(summary.failures, [{ legacyId: 'refused', objectId: refusedId, error: 'HTTP 400: Request_BadRequest' }]);
      assert.equal(summary.released, 2);
      assert.equal(summary.throttled, 1);
      assert.equal(more.flagOf('refused'), true);
      assert.equal(more.flagOf('throttled'), false);
      assert.equal(await more.ledger.reconciliation('refused'), undefined);
      const next = await cutover({ ledger: more.ledger, reader: more.graph, writer: more.graph, flagAttribute: more.flag, apply: true });
      assert.equal(next.released, 1);
      assert.equal(more.flagOf('refused'), false);
    } finally {
      await more.close();
    }
  });
});
