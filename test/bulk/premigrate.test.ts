import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { premigrate, readSource, type PremigrateSummary, type SourceRow } from '../../src/bulk/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createClientSecretCredential, createGraphBatchClient, createPacer, readDirectoryQuota, type GraphBatchClient } from '../../src/graph/index.js';
import { openLedger, type Ledger } from '../../src/ledger/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { defineExtensionProperty } from '../support/flag-property.js';
import { virtualTime } from '../graph/virtual-time.js';

const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
const SECRET = 'premigrate-secret';

describe('premigrate against the emulated Graph', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'premigrate-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function setUp(budget: { perApp: number; windowInMs: number } = { perApp: 100_000, windowInMs: 60_000 }, directoryQuota?: number) {
    const emulator = await startEmulator({ port: 0, graph: { writeBudget: budget, ...(directoryQuota !== undefined && { directoryQuota }) } });
    emulator.registerClientApp(CLIENT_ID, SECRET);
    const flag = defineExtensionProperty(emulator);
    const pacer = createPacer({ ratePerSecond: 500 });
    const graph = createGraphBatchClient({
      baseUrl: emulator.url,
      credential: createClientSecretCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: CLIENT_ID, clientSecret: SECRET }),
      pacer,
    });
    const ledger = await openLedger('memory:');
    const credential = createClientSecretCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: CLIENT_ID, clientSecret: SECRET });
    type Extra = { graph?: GraphBatchClient; dryRun?: boolean; concurrency?: number; methods?: { email?: boolean; phone?: boolean }; onProgress?: (summary: PremigrateSummary) => void; abortSignal?: AbortSignal };
    const run = (file: string, extra: Extra = {}) =>
      premigrate({
        source: readSource(file),
        ledger,
        graph: extra.graph ?? graph,
        userBody: { tenantDomain: emulator.tenant.domain, flagAttribute: flag },
        dryRun: extra.dryRun ?? false,
        readQuota: () => readDirectoryQuota({ baseUrl: emulator.url, credential }),
        ...(extra.concurrency !== undefined && { concurrency: extra.concurrency }),
        ...(extra.methods && { methods: extra.methods }),
        ...(extra.onProgress && { onProgress: extra.onProgress }),
        ...(extra.abortSignal && { abortSignal: extra.abortSignal }),
      });
    return { emulator, ledger, graph, credential, run, flag, async close() { await ledger.close(); await emulator.close(); } };
  }
  const jsonl = async (name: string, rows: unknown[]) => {
    const path = join(dir, name);
    await writeFile(path, rows.map((row) => (typeof row === 'string' ? row : JSON.stringify(row))).join('\n'));
    return path;
  };
  const users = (count: number, prefix = 'user') => Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${String(i).padStart(4, '0')}`, email: `${prefix}${i}@legacy.example`, display_name: `User ${i}` }));
  const flagOf = (emulator: RunningEmulator, flag: string, email: string) => emulator.directory.getExtensionAttributes(emulator.directory.findUserBySignInName(email)!.id)[flag];

  test('creates every valid account once, flagged; rejects bad rows and duplicates by line; a known password is set and not flagged', async () => {
    const stack = await setUp();
    try {
      const file = await jsonl('basic.jsonl', [
        ...users(41),
        { id: 'known', email: 'known@legacy.example', display_name: 'Known', password: CANARY_PASSWORDS.correct },
        { id: 'no-mail', display_name: 'x' },
        { id: 'bad-mail', email: 'not-an-address' },
        { id: 'user-0000', email: 'again@legacy.example' },
        'not json',
      ]);
      const summary = await stack.run(file);
      assert.equal(summary.created, 42);
      assert.equal(summary.rejected, 3);
      assert.equal(summary.duplicates, 1);
      assert.deepEqual(summary.rejections.map((rejection) => rejection.line), [43, 44, 45, 46]);
      assert.equal(stack.emulator.directory.countUsers(), 42);
      assert.deepEqual(await stack.ledger.countAccounts(), { created: 42 });
      assert.equal(flagOf(stack.emulator, stack.flag, 'user7@legacy.example'), true);
      assert.equal(flagOf(stack.emulator, stack.flag, 'known@legacy.example'), false);
      assert.deepEqual(await stack.emulator.signIn.signIn({ username: 'known@legacy.example', password: CANARY_PASSWORDS.correct }), { outcome: 'signed-in', migrated: false });

      const again = await stack.run(file);
      assert.equal(again.skipped, 42, 'a second run creates nothing');
      assert.equal(again.created, 0);
      assert.equal(stack.emulator.directory.countUsers(), 42);
    } finally {
      await stack.close();
    }
  });

  test('under throttling every account still arrives exactly once', async () => {
    const stack = await setUp({ perApp: 20, windowInMs: 1000 });
    try {
      const summary = await stack.run(await jsonl('throttled.jsonl', users(70, 'thr')));
      assert.equal(summary.created, 70);
      assert.ok(summary.throttled > 0, 'the budget was hit');
      assert.equal(stack.emulator.directory.countUsers(), 70);
    } finally {
      await stack.close();
    }
  });

  test('injected 503s (Retry-After) and 424s are sent again; every account arrives once; one that never succeeds fails with its reason', async () => {
    const stack = await setUp();
    try {
      stack.emulator.setGraphFaults({ serviceUnavailableRate: 0.3 });
      let dependencyFailures = 0;
      let unavailable = 0;
      const counted = async (requests: Parameters<GraphBatchClient['send']>[0]) => {
        const answers = await stack.graph.send(requests);
        unavailable += answers.filter((answer) => answer.status === 503).length;
        return answers;
      };
      const flaky: GraphBatchClient = {
        async send(requests) {
          // In the first three batches of creates the last request is not executed: Graph answers it 424.
          if (requests[0]?.method === 'POST' && requests.length > 1 && dependencyFailures < 3) {
            dependencyFailures++;
            const answers = await counted(requests.slice(0, -1));
            return [...answers, { id: requests.at(-1)!.id, status: 424, headers: {}, body: { error: { code: 'FailedDependency', message: 'A request this one depends on failed.' } } }];
          }
          return counted(requests);
        },
      };
      const summary = await stack.run(await jsonl('faults.jsonl', users(60, 'fault')), { graph: flaky });
      stack.emulator.setGraphFaults({});
      assert.equal(dependencyFailures, 3);
      assert.ok(unavailable > 0, 'the emulator answered some writes 503');
      assert.equal(summary.created, 60, 'a 424 was never executed, so it is created when sent again');
      assert.equal(summary.failed, 0);
      assert.ok(summary.throttled === 0, '503s are not counted as throttled (429) answers');
      assert.equal(stack.emulator.directory.countUsers(), 60, 'none twice');

      const always503: GraphBatchClient = {
        async send(requests) {
          return requests.map((request) => ({ id: request.id, status: 503, headers: { 'retry-after': '0' }, body: { error: { code: 'serviceNotAvailable', message: 'unavailable' } } }));
        },
      };
      const failed = await premigrate({
        source: readSource(await jsonl('never.jsonl', users(1, 'never'))),
        ledger: stack.ledger,
        graph: always503,
        userBody: { tenantDomain: stack.emulator.tenant.domain, flagAttribute: stack.flag },
        maxAttempts: 3,
      });
      assert.equal(failed.failed, 1);
      assert.equal(failed.failures[0]!.reason, 'HTTP 503 after 3 attempts');
      assert.equal((await stack.ledger.accountState('never-0000'))?.state, 'failed');
    } finally {
      await stack.close();
    }
  });

  test('a crash after Graph created a batch but before the ledger recorded it is resolved by lookup, never a second create', async () => {
    const stack = await setUp();
    try {
      const file = await jsonl('crash.jsonl', users(60, 'crash'));
      let batches = 0;
      const crashing: GraphBatchClient = {
        async send(requests) {
          const responses = await stack.graph.send(requests);
          if (requests[0]?.method === 'POST' && ++batches === 2) throw new Error('kill -9');
          return responses;
        },
      };
      // One batch in flight, so exactly the second batch is the one caught between Graph and the ledger.
      await assert.rejects(stack.run(file, { graph: crashing, concurrency: 1 }), /kill -9/);
      assert.equal((await stack.ledger.countAccounts()).pending, 20, 'the second batch is left pending');
      assert.equal(stack.emulator.directory.countUsers(), 40);

      const resumed = await stack.run(file);
      assert.equal(stack.emulator.directory.countUsers(), 60, 'none twice, none missing');
      assert.equal(resumed.created, 20, 'the batch never sent');
      assert.equal(resumed.existing, 20, 'the batch caught by the crash, found by lookup');
      assert.equal(resumed.skipped, 20, 'the batch recorded before the crash');
      assert.deepEqual(await stack.ledger.countAccounts(), { created: 40, existing: 20 });
    } finally {
      await stack.close();
    }
  });

  test('a crash after the ledger said pending but before Graph received the batch: the lookup finds nothing and the account is created once', async () => {
    const stack = await setUp();
    try {
      const file = await jsonl('crash-before.jsonl', users(50, 'before'));
      let batches = 0;
      const crashing: GraphBatchClient = {
        async send(requests) {
          if (requests[0]?.method === 'POST' && ++batches === 2) throw new Error('kill -9 before the request left');
          return stack.graph.send(requests);
        },
      };
      await assert.rejects(stack.run(file, { graph: crashing, concurrency: 1 }), /kill -9/);
      assert.equal((await stack.ledger.countAccounts()).pending, 20);
      assert.equal(stack.emulator.directory.countUsers(), 20);
      const resumed = await stack.run(file);
      assert.deepEqual([resumed.skipped, resumed.existing, resumed.created], [20, 0, 30]);
      assert.equal(stack.emulator.directory.countUsers(), 50, 'none twice, none missing');
      assert.deepEqual(await stack.ledger.countAccounts(), { created: 50 });
    } finally {
      await stack.close();
    }
  });

  test('a crash while registering methods: the resumed run finds the account and completes its methods', async () => {
    const stack = await setUp();
    try {
      const file = await jsonl('crash-methods.jsonl', users(20, 'cm').map((row, i) => ({ ...row, phone: `+44 20790000${String(i).padStart(2, '0')}` })));
      const crashing: GraphBatchClient = {
        async send(requests) {
          if (requests[0]?.url.endsWith('/emailMethods')) {
            await stack.graph.send(requests.slice(0, 7)); // the first 7 methods land, then the process dies
            throw new Error('kill -9 during methods');
          }
          return stack.graph.send(requests);
        },
      };
      await assert.rejects(stack.run(file, { graph: crashing, methods: { email: true, phone: true } }), /kill -9/);
      assert.equal((await stack.ledger.countAccounts()).pending, 20, 'not recorded before its methods');
      const resumed = await stack.run(file, { methods: { email: true, phone: true } });
      assert.deepEqual([resumed.existing, resumed.created, resumed.methodsFailed], [20, 0, 0]);
      assert.equal(stack.emulator.directory.countUsers(), 20);
      for (const row of users(20, 'cm')) {
        const id = stack.emulator.directory.findUserBySignInName(row.email)!.id;
        assert.deepEqual(stack.emulator.directory.listAuthenticationMethods(id).map((method) => method.kind), ['email', 'phone'], row.email);
      }
    } finally {
      await stack.close();
    }
  });

  test('several batches in flight: the rate is the pacer\'s, every account arrives once', async () => {
    const stack = await setUp();
    try {
      let inFlight = 0;
      let peak = 0;
      const watched: GraphBatchClient = {
        async send(requests) {
          peak = Math.max(peak, ++inFlight);
          try {
            return await stack.graph.send(requests);
          } finally {
            inFlight--;
          }
        },
      };
      const summary = await stack.run(await jsonl('parallel.jsonl', users(200, 'par')), { graph: watched, concurrency: 4 });
      assert.equal(summary.created, 200);
      assert.equal(stack.emulator.directory.countUsers(), 200);
      assert.ok(peak > 1 && peak <= 4, `peak ${peak} batches in flight`);
    } finally {
      await stack.close();
    }
  });

  test('an abort stops sending: what was sent is recorded, the rest is left for the next run', async () => {
    const stack = await setUp();
    try {
      const file = await jsonl('abort.jsonl', users(100, 'abort'));
      const stop = new AbortController();
      let batches = 0;
      const stopping: GraphBatchClient = {
        async send(requests) {
          if (requests[0]?.method === 'POST' && ++batches === 2) stop.abort();
          return stack.graph.send(requests);
        },
      };
      const summary = await premigrate({
        source: readSource(file),
        ledger: stack.ledger,
        graph: stopping,
        userBody: { tenantDomain: stack.emulator.tenant.domain, flagAttribute: stack.flag },
        abortSignal: stop.signal,
        concurrency: 1,
      });
      assert.equal(summary.interrupted, true);
      assert.equal(summary.created, 40);
      assert.equal(stack.emulator.directory.countUsers(), 40);
      assert.deepEqual(await stack.ledger.countAccounts(), { created: 40 });
      const resumed = await stack.run(file);
      assert.equal(resumed.created, 60);
      assert.equal(stack.emulator.directory.countUsers(), 100);
    } finally {
      await stack.close();
    }
  });

  test('an account already in Entra is recorded as existing, not failed', async () => {
    const stack = await setUp();
    try {
      await stack.emulator.directory.createUser({ displayName: 'Early', mail: 'early@legacy.example', identities: [{ signInType: 'emailAddress', issuer: stack.emulator.tenant.domain, issuerAssignedId: 'early@legacy.example' }], password: 'Random-Initial-Password-1!' });
      const summary = await stack.run(await jsonl('conflict.jsonl', [{ id: 'e1', email: 'Early@legacy.example' }, { id: 'e2', email: 'late@legacy.example' }]));
      assert.deepEqual([summary.created, summary.existing, summary.failed], [1, 1, 0]);
      assert.equal((await stack.ledger.accountState('e1'))?.state, 'existing');
    } finally {
      await stack.close();
    }
  });

  test('a dry run validates and looks up, and writes nothing', async () => {
    const stack = await setUp();
    try {
      await stack.emulator.directory.createUser({ displayName: 'Early', identities: [{ signInType: 'emailAddress', issuer: stack.emulator.tenant.domain, issuerAssignedId: 'dry1@legacy.example' }], password: 'Random-Initial-Password-1!' });
      const progress: number[] = [];
      const summary = await stack.run(await jsonl('dry.jsonl', [...users(5, 'dry'), { id: 'x' }]), { dryRun: true, onProgress: (now) => progress.push(now.wouldCreate + now.existing) });
      assert.deepEqual([summary.wouldCreate, summary.existing, summary.rejected], [4, 1, 1]);
      assert.deepEqual(progress, [5], 'a dry run reports progress as a run does');
      assert.deepEqual(summary.quota, { used: 1, total: 300_000, fits: true });
      assert.equal(stack.emulator.directory.countUsers(), 1);
      assert.deepEqual(await stack.ledger.countAccounts(), {});
    } finally {
      await stack.close();
    }
  });

  test('a dry run says when the accounts would not fit in the directory quota', async () => {
    const stack = await setUp(undefined, 12);
    try {
      await stack.emulator.directory.createUser({ displayName: 'Early', identities: [{ signInType: 'emailAddress', issuer: stack.emulator.tenant.domain, issuerAssignedId: 'early@legacy.example' }], password: 'Random-Initial-Password-1!' });
      const fits = await stack.run(await jsonl('quota-fits.jsonl', users(11, 'qf')), { dryRun: true });
      assert.deepEqual(fits.quota, { used: 1, total: 12, fits: true });
      const over = await stack.run(await jsonl('quota-over.jsonl', users(12, 'qo')), { dryRun: true });
      assert.deepEqual(over.quota, { used: 1, total: 12, fits: false });
    } finally {
      await stack.close();
    }
  });

  test('a dry run reports the quota as unknown when Graph does not answer it', async () => {
    const stack = await setUp();
    try {
      const summary = await premigrate({
        source: readSource(await jsonl('quota-unknown.jsonl', users(2, 'qu'))),
        ledger: stack.ledger,
        graph: stack.graph,
        userBody: { tenantDomain: stack.emulator.tenant.domain, flagAttribute: stack.flag },
        dryRun: true,
        readQuota: () => readDirectoryQuota({ baseUrl: stack.emulator.url, credential: { getToken: async () => ({ token: 'not-a-token', expiresOnTimestamp: Date.now() + 60_000 }) } }),
      });
      assert.equal(summary.wouldCreate, 2);
      assert.equal(summary.quota, null);
    } finally {
      await stack.close();
    }
  });

  test('e-mail and phone methods are registered before an account is recorded; a resumed or repeated run adds none twice', async () => {
    const stack = await setUp();
    try {
      const rows = [
        { id: 'm1', email: 'm1@legacy.example', phone: '+1 2065550101' },
        { id: 'm2', email: 'm2@legacy.example' },
        { id: 'm3', email: 'm3@legacy.example', phone: '2065550103' },
      ];
      const summary = await stack.run(await jsonl('methods.jsonl', rows), { methods: { email: true, phone: true } });
      assert.deepEqual([summary.created, summary.rejected, summary.methodsAdded, summary.methodsFailed], [2, 1, 3, 0]);
      assert.match(summary.rejections[0]!.reason, /phone is not an international number/);
      const methodsOf = (email: string) => stack.emulator.directory.listAuthenticationMethods(stack.emulator.directory.findUserBySignInName(email)!.id);
      assert.deepEqual(methodsOf('m1@legacy.example').map((method) => method.kind), ['email', 'phone']);
      assert.deepEqual(methodsOf('m2@legacy.example'), [{ kind: 'email', id: '3ddfcfc8-9383-446f-83cc-3ab9be4be18f', emailAddress: 'm2@legacy.example' }]);

      // A crash between Graph's create and the ledger: the account is looked up, its methods added (or found) then.
      await stack.ledger.recordAccount({ legacyId: 'm2', email: 'm2@legacy.example', state: 'pending', entraObjectId: null, reason: null, updatedAt: new Date() });
      const resumed = await stack.run(await jsonl('methods-again.jsonl', rows.slice(0, 2)), { methods: { email: true, phone: true } });
      assert.deepEqual([resumed.skipped, resumed.existing, resumed.methodsAdded, resumed.methodsFailed], [1, 1, 1, 0]);
      assert.equal(methodsOf('m2@legacy.example').length, 1);
    } finally {
      await stack.close();
    }
  });

  test('a method Graph refuses is reported with the account, which stays recorded as created', async () => {
    const stack = await setUp();
    try {
      const refusing: GraphBatchClient = {
        async send(requests) {
          const answers = await stack.graph.send(requests);
          return answers.map((answer, i) => (requests[i]!.url.endsWith('/emailMethods') ? { ...answer, status: 403, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges.' } } } : answer));
        },
      };
      const summary = await stack.run(await jsonl('methods-refused.jsonl', users(3, 'mr')), { graph: refusing, methods: { email: true } });
      assert.deepEqual([summary.created, summary.methodsFailed, summary.failed], [3, 3, 0]);
      assert.match(summary.failures[0]!.reason, /^created in Entra as [0-9a-f-]{36}, but the e-mail method was not added: HTTP 403 Authorization_RequestDenied$/);
      assert.equal((await stack.ledger.accountState('mr-0000'))?.state, 'created');
    } finally {
      await stack.close();
    }
  });

  test('CSV sources with a header line are read the same way', async () => {
    const stack = await setUp();
    try {
      const path = join(dir, 'users.csv');
      await writeFile(path, 'id,email,display_name,given_name\n1,"a@legacy.example","Ada, Countess",Ada\n2,b@legacy.example,Bob,\n');
      const summary = await stack.run(path);
      assert.equal(summary.created, 2);
      assert.equal(stack.emulator.directory.findUserBySignInName('a@legacy.example')?.displayName, 'Ada, Countess');
    } finally {
      await stack.close();
    }
  });

  test('rows skipped as invalid or duplicate are failures too, with their line, reason and id ("" when unreadable)', async () => {
    const stack = await setUp();
    try {
      const file = await jsonl('skipped.jsonl', [
        ...users(2),
        { id: 'no-mail' },
        { email: 'anonymous@legacy.example' },
        'not json',
        { id: 'user-0000', email: 'again@legacy.example' },
        { id: 'other', email: 'user1@legacy.example' },
      ]);
      const summary = await stack.run(file);
      assert.deepEqual([summary.created, summary.rejected, summary.duplicates, summary.failed], [2, 3, 2, 5]);
      assert.deepEqual(summary.failures, [
        { legacyId: 'no-mail', reason: 'no email', line: 3 },
        { legacyId: '', reason: 'no id', line: 4 },
        { legacyId: '', reason: 'not JSON', line: 5 },
        { legacyId: 'user-0000', reason: 'duplicate id', line: 6 },
        { legacyId: 'other', reason: 'duplicate e-mail', line: 7 },
      ]);
      assert.deepEqual(summary.rejections.map((rejection) => rejection.line), [3, 4, 5, 6, 7], 'the breakdown is kept');
      assert.equal(summary.batchesInFlight, 0);
    } finally {
      await stack.close();
    }
  });

  test('Graph 503s without Retry-After, before and after the write: every account once; one created behind a failed answer is found by lookup', async () => {
    const stack = await setUp();
    try {
      stack.emulator.setGraphFaults({ serviceUnavailableRate: 0.15, serviceUnavailableAfterWriteRate: 0.15, serviceUnavailableRetryAfterInSeconds: null });
      const pacer = createPacer({ ratePerSecond: 500 });
      const graph = createGraphBatchClient({ baseUrl: stack.emulator.url, credential: stack.credential, pacer, sleep: async () => {} });
      const summary = await stack.run(await jsonl('faults-no-retry-after.jsonl', users(100, 'nra')), { graph });
      stack.emulator.setGraphFaults({});
      assert.equal(stack.emulator.directory.countUsers(), 100, 'none missing, none twice');
      assert.equal(summary.created + summary.existing, 100);
      assert.ok(summary.existing > 0, 'some were created by a write Graph answered 503, then found after the conflict');
      assert.equal(summary.failed, 0);
      assert.equal(pacer.rate(), 500, 'transient failures are not throttling');
      assert.deepEqual(await stack.ledger.countAccounts(), { created: summary.created, existing: summary.existing });
    } finally {
      await stack.close();
    }
  });

  test('an abort after the source is read still stops: onProgress hears at once with the batches in flight, requeued retries are not sent', async () => {
    const stack = await setUp();
    try {
      const file = await jsonl('abort-late.jsonl', users(30, 'late'));
      const stop = new AbortController();
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      let creates = 0;
      let sentAfterAbort = 0;
      const graph: GraphBatchClient = {
        async send(requests, options) {
          if (stop.signal.aborted) sentAfterAbort++;
          if (requests[0]?.method !== 'POST' || ++creates > 1) return stack.graph.send(requests, options);
          // The first batch of creates: its last 5 requests are throttled (not executed), and its answer is slow.
          const answers = await stack.graph.send(requests.slice(0, -5), options);
          await held;
          return [...answers, ...requests.slice(-5).map((request) => ({ id: request.id, status: 429, headers: { 'retry-after': '0' }, body: null }))];
        },
      };
      const progress: PremigrateSummary[] = [];
      let secondBatchDone: () => void = () => undefined;
      const secondDone = new Promise<void>((resolve) => (secondBatchDone = resolve));
      const running = stack.run(file, {
        graph,
        abortSignal: stop.signal,
        onProgress: (now) => {
          progress.push(now);
          if (now.created === 10) secondBatchDone();
        },
      });
      await secondDone; // the source is read to the end: only the held batch is left
      stop.abort();
      assert.equal(progress.at(-1)!.batchesInFlight, 1, 'told at once, with the batch still in flight');
      release();
      const summary = await running;
      assert.equal(sentAfterAbort, 0, 'nothing new is sent: not the 5 throttled accounts, not a lookup');
      assert.deepEqual([summary.created, summary.interrupted, summary.batchesInFlight], [25, true, 0]);
      assert.deepEqual(await stack.ledger.countAccounts(), { created: 25, pending: 5 });
      const resumed = await stack.run(file);
      assert.deepEqual([resumed.skipped, resumed.created, resumed.interrupted], [25, 5, false]);
      assert.equal(stack.emulator.directory.countUsers(), 30, 'none twice, none missing');
    } finally {
      await stack.close();
    }
  });

  test('an abort while batches wait for the pacer: none of them is sent; their accounts stay pending and are created once by the next run', async () => {
    const stack = await setUp();
    try {
      const file = await jsonl('abort-waiting.jsonl', users(100, 'wait'));
      let posted = 0;
      const countingFetch = (async (url: string | URL | Request, init?: RequestInit) => {
        posted++;
        return fetch(url, init);
      }) as typeof globalThis.fetch;
      // 20 writes/s: the first batch goes at once, the next ones wait a second each for the pacer.
      const graph = createGraphBatchClient({ baseUrl: stack.emulator.url, credential: stack.credential, pacer: createPacer({ ratePerSecond: 20 }), fetch: countingFetch });
      const stop = new AbortController();
      const summary = await stack.run(file, { graph, abortSignal: stop.signal, onProgress: (now) => now.created === 20 && stop.abort() });
      assert.equal(posted, 1, 'only the first batch was sent');
      assert.deepEqual([summary.created, summary.interrupted], [20, true]);
      assert.equal(stack.emulator.directory.countUsers(), 20);
      const resumed = await stack.run(file);
      assert.equal(resumed.created + resumed.existing, 80);
      assert.equal(resumed.existing, 0, 'the pending ones were looked up and not found');
      assert.equal(stack.emulator.directory.countUsers(), 100, 'none twice, none missing');
      assert.deepEqual(await stack.ledger.countAccounts(), { created: 100 });
    } finally {
      await stack.close();
    }
  });

  test('an abort before a created batch has its methods: no method batch is started; the accounts stay pending and the next run completes them', async () => {
    const stack = await setUp();
    try {
      const file = await jsonl('abort-methods.jsonl', users(20, 'am'));
      const stop = new AbortController();
      let methodBatches = 0;
      const graph: GraphBatchClient = {
        async send(requests, options) {
          if (requests[0]?.url.includes('/authentication/')) methodBatches++;
          const answers = await stack.graph.send(requests, options);
          if (requests[0]?.url === '/users') stop.abort(); // Ctrl-C while Graph creates the batch
          return answers;
        },
      };
      const summary = await stack.run(file, { graph, abortSignal: stop.signal, methods: { email: true } });
      assert.equal(methodBatches, 0);
      assert.deepEqual([summary.created, summary.interrupted], [0, true]);
      assert.deepEqual(await stack.ledger.countAccounts(), { pending: 20 });
      const resumed = await stack.run(file, { methods: { email: true } });
      assert.deepEqual([resumed.existing, resumed.created, resumed.methodsAdded], [20, 0, 20]);
      assert.equal(stack.emulator.directory.countUsers(), 20);
    } finally {
      await stack.close();
    }
  });

  test('a 503 without Retry-After is sent again after a jittered back-off, in a later batch; a 429 at once (the pacer waits); the batch in hand is not held up', async () => {
    const time = virtualTime();
    const sends: Array<{ at: number; emails: string[] }> = [];
    let first = true;
    const graph: GraphBatchClient = {
      async send(requests) {
        sends.push({ at: time.elapsed(), emails: requests.map((request) => (request.body as { mail: string }).mail) });
        await time.sleep(100);
        const answers = requests.map((request) => ({ id: request.id, status: 201, headers: {} as Record<string, string>, body: { id: `object-${request.id}` } as unknown }));
        if (first) {
          answers[0] = { ...answers[0]!, status: 503, body: { error: { code: 'serviceNotAvailable', message: 'x' } } };
          answers[1] = { ...answers[1]!, status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'TooManyRequests', message: 'x' } } };
          first = false;
        }
        return answers;
      },
    };
    async function* rows(): AsyncGenerator<SourceRow> {
      for (const name of ['a', 'b', 'c']) yield { line: 1, row: { id: name, email: `${name}@legacy.example` } };
    }
    const ledger = await openLedger('memory:');
    try {
      const summary = await time.run(premigrate({ source: rows(), ledger, graph, userBody: { tenantDomain: 'contoso.onmicrosoft.com', flagAttribute: 'extension_0_toBeMigrated' }, now: time.now, sleep: time.sleep, random: () => 0.5 }));
      assert.deepEqual(sends, [
        { at: 0, emails: ['a@legacy.example', 'b@legacy.example', 'c@legacy.example'] },
        { at: 100, emails: ['b@legacy.example'] },
        { at: 350, emails: ['a@legacy.example'] }, // answered at 100, then a back-off drawn in [0, 500): 250
      ]);
      assert.deepEqual([summary.created, summary.throttled, summary.failed], [3, 1, 0]);
    } finally {
      await ledger.close();
    }
  });
});
