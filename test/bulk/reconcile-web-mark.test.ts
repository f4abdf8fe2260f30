import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { premigrate, readSource } from '../../src/bulk/index.js';
import { reconcile, type ReconcileSummary } from '../../src/bulk/reconcile.js';
import { openWebMarker } from '../../src/bulk/steps/web-marker.js';
import { loadReconcileConfig } from '../../src/config/reconcile-config.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import type { BatchRequest, GraphBatchClient } from '../../src/graph/index.js';
import { openLedger, type Ledger } from '../../src/ledger/index.js';
import { answerWith, startService, type TestService } from '../legacy/web-service/service.js';
import { defineExtensionProperty } from '../support/flag-property.js';
import { emulatedGraph } from './emulated-graph.js';

// reconcile telling a web-service legacy store (LEGACY_MARK_MIGRATED_URL), against the emulated Graph and a real
// local HTTP service that, as the contract asks, keeps the Idempotency-Keys it has recorded.

const CLIENT_ID = '41111111-2222-4333-8444-555555555555';
const SECRET = 'reconcile-web-mark-secret';
const TOKEN = 'mark-token-3d9c';
const ACCOUNTS = ['w1', 'w2', 'w3'] as const;

describe('reconcile marks through LEGACY_MARK_MIGRATED_URL', () => {
  let dir: string;
  let emulator: RunningEmulator;
  let ledger: Ledger;
  let graph: GraphBatchClient;
  let flag: string;
  let service: TestService;
  /** Idempotency-Key → the body the service recorded under it, as a service honouring the key would keep them. */
  const recorded = new Map<string, string>();
  const sent: BatchRequest[] = [];
  const objectIdOf = (legacyId: string) => emulator.directory.findUserBySignInName(`${legacyId}@legacy.example`)!.id;
  const keyOf = (legacyId: string) => `"${legacyId}:${objectIdOf(legacyId)}"`;
  const deliveries = (legacyId: string) => service.requests.filter((request) => request.headers['idempotency-key'] === keyOf(legacyId)).length;
  const run = async (extra: { ledger?: Ledger } = {}): Promise<ReconcileSummary> => {
    const config = loadReconcileConfig({
      AZURE_TENANT_ID: emulator.tenant.tenantId,
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_CLIENT_SECRET: SECRET,
      MIGRATION_FLAG_ATTRIBUTE: flag,
      LEGACY_MARK_MIGRATED_URL: `${service.origin}/api/migrated`,
      LEGACY_VERIFY_AUTH: `bearer:${TOKEN}`,
    });
    assert.equal(config.markMigrated?.kind, 'url');
    const marker = await openWebMarker(config.markMigrated.service);
    try {
      return await reconcile({ ledger: extra.ledger ?? ledger, graph, flagAttribute: flag, marker });
    } finally {
      await marker.close();
    }
  };
  const migrate = async (legacyId: string) => {
    await ledger.recordDecision({ at: new Date(Date.now() - 60_000), correlationId: `corr-${legacyId}`, objectId: objectIdOf(legacyId), legacyId, action: 'MigratePassword', reason: 'password-correct', latencyInMs: 20 });
    emulator.directory.setExtensionAttribute(objectIdOf(legacyId), flag, false);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reconcile-web-mark-'));
    emulator = await startEmulator({ port: 0 });
    flag = defineExtensionProperty(emulator);
    const { client, graph: recording } = emulatedGraph(emulator, { clientId: CLIENT_ID, secret: SECRET, sent });
    graph = recording;
    ledger = await openLedger(`sqlite://${join(dir, 'ledger.db')}`);
    const source = join(dir, 'users.jsonl');
    await writeFile(source, ACCOUNTS.map((id) => JSON.stringify({ id, email: `${id}@legacy.example`, display_name: id })).join('\n'));
    const created = await premigrate({ source: readSource(source), ledger, graph: client, userBody: { tenantDomain: emulator.tenant.domain, flagAttribute: flag } });
    assert.equal(created.created, ACCOUNTS.length);
    service = await startService();
  });
  after(async () => {
    await service?.close();
    await ledger?.close();
    await emulator?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a confirmed account is POSTed once with its ids, its confirmation time and our credentials; 2xx is done', async () => {
    service.answer = (request, response) => {
      recorded.set(String(request.headers['idempotency-key']), request.body);
      response.writeHead(204).end();
    };
    await migrate('w1');
    const summary = await run();
    assert.equal(summary.marked, 1);
    assert.deepEqual(summary.markFailures, []);
    assert.equal(service.requests.length, 1);
    const [seen] = service.requests;
    assert.equal(seen!.headers.authorization, `Bearer ${TOKEN}`);
    const confirmedAt = (await ledger.reconciliation('w1'))!.confirmedAt!;
    assert.equal(seen!.body, JSON.stringify({ legacyId: 'w1', objectId: objectIdOf('w1'), migratedAt: confirmedAt.toISOString() }));
    assert.ok((await ledger.reconciliation('w1'))!.mark.doneAt);
  });

  test('a 5xx is a failure listed with its status and retried next run without a GET; a crash between the POST and the ledger sends it again with the same key; then never again', async () => {
    await migrate('w2');
    service.answer = answerWith(503, { error: 'maintenance for w2@legacy.example' });
    const failed = await run();
    assert.equal(failed.marked, 0);
    assert.deepEqual(failed.markFailures, [{ legacyId: 'w2', objectId: objectIdOf('w2'), error: 'LEGACY_MARK_MIGRATED_URL failed: The legacy web service answered 503.' }]);
    assert.equal((await ledger.reconciliation('w2'))!.mark.error, failed.markFailures[0]!.error);
    assert.equal(deliveries('w2'), 1);

    // The service is back; the POST succeeds, then the ledger fails to record it (a crash in between): the run fails.
    service.answer = (request, response) => {
      recorded.set(String(request.headers['idempotency-key']), request.body);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    };
    const crashing = new Proxy(ledger, {
      get: (target, name) => (name === 'recordMark' ? async () => Promise.reject(new Error('killed')) : Reflect.get(target, name)),
    });
    sent.length = 0;
    await assert.rejects(run({ ledger: crashing }), /killed/);
    assert.equal(sent.length, 0, 'a confirmed account is marked without reading Graph again');
    assert.equal(deliveries('w2'), 2);

    const resumed = await run();
    assert.equal(resumed.marked, 1);
    assert.deepEqual(resumed.markFailures, []);
    assert.equal(deliveries('w2'), 3, 'at least once: the POST was sent again');
    const bodies = service.requests.filter((request) => request.headers['idempotency-key'] === keyOf('w2')).map((request) => request.body);
    assert.equal(new Set(bodies).size, 1, 'every delivery carries the same body (the first confirmation time), so a repeat changes nothing');
    assert.equal((await ledger.reconciliation('w2'))!.mark.error, null);

    const before = service.requests.length;
    assert.equal((await run()).marked, 0, 'and never again once recorded');
    assert.equal(service.requests.length, before);
    assert.deepEqual([...recorded.keys()].sort(), [keyOf('w1'), keyOf('w2')].sort(), 'the service recorded each account once by its key');
  });

  test('a service that never answers fails the mark by its timeout; the run goes on and reports it', async () => {
    await migrate('w3');
    service.answer = () => new Promise(() => undefined);
    const config = loadReconcileConfig({ AZURE_TENANT_ID: emulator.tenant.tenantId, AZURE_CLIENT_ID: CLIENT_ID, AZURE_CLIENT_SECRET: SECRET, MIGRATION_FLAG_ATTRIBUTE: flag, LEGACY_MARK_MIGRATED_URL: `${service.origin}/api/migrated` });
    assert.equal(config.markMigrated?.kind, 'url');
    const marker = await openWebMarker(config.markMigrated.service, { timeoutInMs: 300 });
    try {
      const summary = await reconcile({ ledger, graph, flagAttribute: flag, marker });
      assert.equal(summary.states['migrated-by-extension'], 1);
      assert.deepEqual(summary.markFailures.map((failure) => failure.legacyId), ['w3']);
      assert.match(summary.markFailures[0]!.error, /^LEGACY_MARK_MIGRATED_URL failed: The legacy web service at http:\/\/127\.0\.0\.1:\d+\/api\/migrated did not answer within 300 ms\.$/);
    } finally {
      await marker.close();
    }
  });
});
