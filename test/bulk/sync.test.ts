import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { premigrate, readSource, sync, type SyncSummary } from '../../src/bulk/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { createClientSecretCredential, createGraphBatchClient, createGraphClient, createPacer, type GraphBatchClient } from '../../src/graph/index.js';
import { openLedger, type Ledger } from '../../src/ledger/index.js';
import pg from 'pg';
import { defineExtensionProperty } from '../support/flag-property.js';
import { SERVICES, skipUnlessService } from '../support/services.js';

const CLIENT_ID = '11111111-2222-4333-8444-666666666666';
const SECRET = 'sync-secret';

/** Each set-up gets a ledger of its own: a schema of its own in PostgreSQL, dropped at the end. */
const pgSchemas: string[] = [];
const LEDGERS = [
  { name: 'memory', skip: async () => false as const, url: () => 'memory:' },
  {
    name: 'PostgreSQL',
    skip: () => skipUnlessService('postgres'),
    url: () => {
      pgSchemas.push(`sync_test_${process.pid}_${Date.now()}_${pgSchemas.length}`);
      return `${SERVICES.postgres.url}?schema=${pgSchemas.at(-1)}`;
    },
  },
];

after(async () => {
  if (pgSchemas.length === 0) return;
  const client = new pg.Client({ connectionString: SERVICES.postgres.url });
  await client.connect();
  try {
    for (const schema of pgSchemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
});

type Row = { id: string; email: string; display_name: string; given_name?: string; surname?: string; enabled?: string | boolean };

for (const kind of LEDGERS) {
  const skip = await kind.skip();
  describe(`premigrate --sync against the emulated Graph, ledger in ${kind.name}`, { skip }, () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sync-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    let files = 0;
    const jsonl = async (rows: unknown[]) => {
      const path = join(dir, `source-${files++}.jsonl`);
      await writeFile(path, rows.map((row) => (typeof row === 'string' ? row : JSON.stringify(row))).join('\n'));
      return path;
    };
    const users = (count: number): Row[] => Array.from({ length: count }, (_, i) => ({ id: `u-${String(i).padStart(3, '0')}`, email: `user${i}@legacy.example`, display_name: `User ${i}` }));

    /** An emulator, a ledger and the accounts premigrate created from `rows`; Graph writes counted by method. */
    async function setUp(rows: Row[], writeBudget = { perApp: 100_000, windowInMs: 60_000 }) {
      const emulator = await startEmulator({ port: 0, graph: { writeBudget } });
      emulator.registerClientApp(CLIENT_ID, SECRET);
      const flag = defineExtensionProperty(emulator);
      const credential = createClientSecretCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: CLIENT_ID, clientSecret: SECRET });
      const batchClient = createGraphBatchClient({ baseUrl: emulator.url, credential, pacer: createPacer({ ratePerSecond: 500 }) });
      const sent = { PATCH: 0, GET: 0, POST: 0 };
      const graph: GraphBatchClient = {
        ...batchClient,
        send: (requests, options) => {
          for (const request of requests) if (request.method in sent) sent[request.method as keyof typeof sent]++;
          return batchClient.send(requests, options);
        },
      };
      const reader = createGraphClient({ baseUrl: emulator.url, credential });
      const ledger = await openLedger(kind.url());
      const created = await premigrate({ source: readSource(await jsonl(rows)), ledger, graph, userBody: { tenantDomain: emulator.tenant.domain, flagAttribute: flag } });
      assert.equal(created.created, rows.length);
      assert.equal((await ledger.profiles(rows.map((row) => row.id))).size, rows.length, 'premigrate records the baseline of each account it creates');
      const run = async (source: Row[] | string, extra: { dryRun?: boolean; allowMassDisable?: boolean; ledger?: Ledger; abortSignal?: AbortSignal; rows?: AsyncIterable<never> } = {}) =>
        sync({
          source: typeof source === 'string' ? readSource(source) : readSource(await jsonl(source)),
          ledger: extra.ledger ?? ledger,
          graph,
          tenantDomain: emulator.tenant.domain,
          dryRun: extra.dryRun ?? false,
          ...(extra.allowMassDisable && { allowMassDisable: true }),
          ...(extra.abortSignal && { abortSignal: extra.abortSignal }),
        });
      /** The user as Graph shows it now. */
      const user = async (legacyId: string) => {
        const objectId = (await ledger.accountState(legacyId))!.entraObjectId!;
        return reader.call<{ displayName: string; givenName: string | null; surname: string | null; mail: string; accountEnabled: boolean; identities: Array<{ issuerAssignedId: string }> }>(
          'GET',
          `/v1.0/users/${objectId}?$select=displayName,givenName,surname,mail,accountEnabled,identities`,
        );
      };
      const resetCounts = () => Object.assign(sent, { PATCH: 0, GET: 0, POST: 0 });
      return { emulator, ledger, graph, reader, sent, run, user, resetCounts, async close() { await ledger.close(); await emulator.close(); } };
    }

    test('a dry run lists each change old → new and writes nothing; --apply PATCHes only the changed accounts, then nothing is left', async () => {
      const rows = users(30);
      const stack = await setUp(rows);
      try {
        const changed = rows.map((row) => ({ ...row }));
        changed[3] = { ...changed[3]!, display_name: 'Ada King', given_name: 'Ada' };
        changed[7] = { ...changed[7]!, email: 'new7@legacy.example' };
        const before = await stack.ledger.profiles(['u-003', 'u-007']);
        stack.resetCounts();

        const dry = await stack.run(changed, { dryRun: true });
        assert.equal(dry.changed, 2);
        assert.equal(dry.unchanged, 28);
        assert.equal(dry.compared, 2, 'only the two whose fingerprint differs are read from Graph');
        assert.equal(stack.sent.PATCH, 0);
        const byId = new Map(dry.changes.map((change) => [change.legacyId, change.fields]));
        assert.deepEqual(byId.get('u-003'), [
          { name: 'displayName', old: 'User 3', new: 'Ada King' },
          { name: 'givenName', old: null, new: 'Ada' },
        ]);
        assert.deepEqual(byId.get('u-007'), [
          { name: 'mail', old: 'user7@legacy.example', new: 'new7@legacy.example' },
          { name: 'identities', old: 'user7@legacy.example', new: 'new7@legacy.example' },
        ]);
        assert.equal((await stack.user('u-003')).displayName, 'User 3');
        assert.deepEqual(await stack.ledger.profiles(['u-003', 'u-007']), before, 'a dry run records nothing');

        const applied = await stack.run(changed);
        assert.equal(applied.changed, 2);
        assert.equal(stack.sent.PATCH, 2, 'one PATCH per changed account');
        const ada = await stack.user('u-003');
        assert.equal(ada.displayName, 'Ada King');
        assert.equal(ada.givenName, 'Ada');
        const moved = await stack.user('u-007');
        assert.equal(moved.mail, 'new7@legacy.example');
        assert.deepEqual(moved.identities.map((identity) => identity.issuerAssignedId), ['new7@legacy.example']);
        // The new e-mail identity is what a lookup finds; the old one is free.
        const lookUp = (email: string) =>
          stack.reader.call<{ value: Array<{ id: string }> }>('GET', `/v1.0/users?$filter=${encodeURIComponent(`identities/any(c:c/issuerAssignedId eq '${email}' and c/issuer eq '${stack.emulator.tenant.domain}')`)}`);
        assert.deepEqual((await lookUp('new7@legacy.example')).value.map((found) => found.id), [(await stack.ledger.accountState('u-007'))!.entraObjectId]);
        assert.deepEqual((await lookUp('user7@legacy.example')).value, []);

        stack.resetCounts();
        const again = await stack.run(changed);
        assert.equal(again.changed, 0);
        assert.equal(again.unchanged, 30);
        assert.equal(stack.sent.GET + stack.sent.PATCH, 0, 'recorded fingerprints: nothing is read or written');
      } finally {
        await stack.close();
      }
    });

    test('blocked in the source → disabled; back → re-enabled; an account the ledger never held is never touched', async () => {
      const rows = users(30);
      const stack = await setUp(rows);
      try {
        const outsider = await stack.emulator.directory.createUser({ displayName: 'Not ours', identities: [{ signInType: 'emailAddress', issuer: stack.emulator.tenant.domain, issuerAssignedId: 'outsider@legacy.example' }], password: 'Outsider-Pass-1!' });
        // u-005 blocked; u-006 blocked and renamed in the same run.
        const blocked = rows.map((row, i) => (i === 5 ? { ...row, enabled: 'false' } : i === 6 ? { ...row, enabled: false, display_name: 'Gone Renamed' } : row));
        // A source row premigrate never created (and a user of the same e-mail in Entra): left alone.
        const withNewcomer = [...blocked, { id: 'newcomer', email: 'outsider@legacy.example', display_name: 'Renamed' }];
        const dry = await stack.run(withNewcomer, { dryRun: true });
        assert.deepEqual([dry.changed, dry.disabled], [1, 2], 'the renamed and blocked account counts once in each');
        assert.deepEqual(dry.changes.map((change) => [change.legacyId, change.fields.map((field) => field.name).join()]).sort(), [['u-005', 'accountEnabled'], ['u-006', 'accountEnabled'], ['u-006', 'displayName']]);
        const disabled = await stack.run(withNewcomer);
        assert.deepEqual([disabled.changed, disabled.disabled], [1, 2]);
        assert.equal(disabled.notPreCreated, 1);
        assert.equal((await stack.user('u-005')).accountEnabled, false);
        assert.deepEqual([(await stack.user('u-006')).accountEnabled, (await stack.user('u-006')).displayName], [false, 'Gone Renamed']);
        const profiles = await stack.ledger.profiles(['u-005', 'u-006']);
        assert.deepEqual([profiles.get('u-005')?.enabled, profiles.get('u-006')?.enabled], [false, false]);
        assert.equal((await stack.run(withNewcomer)).compared, 0, 'nothing left to compare');
        assert.equal(stack.emulator.directory.getUser(outsider.id)?.displayName, 'Not ours');

        const back = await stack.run(blocked.map((row, i) => (i === 5 ? rows[5]! : row)));
        assert.equal(back.reenabled, 1);
        assert.equal(back.disabled, 0);
        assert.equal((await stack.user('u-005')).accountEnabled, true);
      } finally {
        await stack.close();
      }
    });

    test('an account gone from a complete read is disabled; an interrupted or failed read disables nobody', async () => {
      const rows = users(30);
      const stack = await setUp(rows);
      try {
        const without = rows.filter((row) => row.id !== 'u-010');
        // Interrupted: the run is stopped before the source ends.
        const controller = new AbortController();
        async function* slow() {
          let line = 0;
          for (const row of without) {
            yield { line: ++line, row };
            if (line === 5) controller.abort();
          }
        }
        const stopped = await sync({ source: slow(), ledger: stack.ledger, graph: stack.graph, tenantDomain: stack.emulator.tenant.domain, abortSignal: controller.signal });
        assert.equal(stopped.interrupted, true);
        assert.equal(stopped.departuresChecked, false);
        assert.equal(stopped.disabled, 0);
        // Failed: the source throws part-way.
        async function* broken() {
          yield { line: 1, row: without[0]! };
          throw new Error('the database went away');
        }
        await assert.rejects(sync({ source: broken(), ledger: stack.ledger, graph: stack.graph, tenantDomain: stack.emulator.tenant.domain }), /database went away/);
        // A row without a readable id: who left cannot be told.
        const unreadable = await stack.run(await jsonl([...without, 'not json']));
        assert.equal(unreadable.departuresChecked, false);
        assert.equal(unreadable.disabled, 0);
        assert.equal((await stack.user('u-010')).accountEnabled, true);

        const complete = await stack.run(without);
        assert.equal(complete.departuresChecked, true);
        assert.equal(complete.departed, 1);
        assert.equal(complete.disabled, 1);
        assert.equal((await stack.user('u-010')).accountEnabled, false);
        assert.equal((await stack.run(rows)).reenabled, 1, 'back in the source: enabled again');
      } finally {
        await stack.close();
      }
    });

    test('the mass-disable guard refuses more than 5 % (at least 10) in one run, disabling nobody, unless allowed', async () => {
      const rows = users(40);
      const stack = await setUp(rows);
      try {
        const few = rows.slice(0, 28);
        stack.resetCounts();
        const refused = await stack.run(few);
        assert.deepEqual(refused.massDisable, { wouldDisable: 12, limit: 10, refused: true });
        assert.equal(refused.disabled, 0);
        assert.equal(stack.sent.PATCH, 0);
        assert.equal((await stack.user('u-035')).accountEnabled, true);

        const dry = await stack.run(few, { dryRun: true, allowMassDisable: true });
        assert.equal(dry.disabled, 12);
        assert.equal(stack.sent.PATCH, 0);

        const allowed = await stack.run(few, { allowMassDisable: true });
        assert.equal(allowed.disabled, 12);
        assert.equal((await stack.user('u-035')).accountEnabled, false);
      } finally {
        await stack.close();
      }
    });

    test('resumable: a crash between the PATCH and its record leaves the next run to read, find it done, and record it', async () => {
      const rows = users(20);
      const stack = await setUp(rows);
      try {
        const changed = rows.map((row, i) => (i === 2 ? { ...row, display_name: 'Renamed' } : row));
        const crashing: Ledger = Object.create(stack.ledger, { recordProfile: { value: async () => Promise.reject(new Error('ledger gone')) } });
        await assert.rejects(stack.run(changed, { ledger: crashing }), /ledger gone/);
        assert.equal((await stack.user('u-002')).displayName, 'Renamed', 'the PATCH went through before the crash');
        const fingerprintBefore = (await stack.ledger.profiles(['u-002'])).get('u-002')?.fingerprint;

        const resumed: SyncSummary = await stack.run(changed);
        assert.equal(resumed.failed, 0);
        assert.equal(resumed.compared, 1);
        assert.equal(resumed.unchanged, 20, 'Graph already holds it: nothing to PATCH');
        assert.notEqual((await stack.ledger.profiles(['u-002'])).get('u-002')?.fingerprint, fingerprintBefore, 'now recorded');
        assert.equal((await stack.run(changed)).compared, 0);
      } finally {
        await stack.close();
      }
    });

    test('throttled PATCHes (429 with Retry-After) are sent again after the pause, and every change lands', async () => {
      const rows = users(20);
      // 25 writes per 2 s: the 20 creates leave 5, so most of the 20 PATCHes are throttled at first.
      const stack = await setUp(rows, { perApp: 25, windowInMs: 2_000 });
      try {
        const summary = await stack.run(rows.map((row) => ({ ...row, display_name: `${row.display_name} (new)` })));
        assert.ok(summary.throttled > 0, 'Graph throttled some');
        assert.deepEqual([summary.changed, summary.failed], [20, 0]);
        assert.equal((await stack.user('u-019')).displayName, 'User 19 (new)');
      } finally {
        await stack.close();
      }
    });

    test('accounts pre-created before profiles were recorded get their baseline from one Graph read, PATCHed only where they differ', async () => {
      const rows = users(20);
      const stack = await setUp(rows);
      try {
        const noProfiles: Ledger = Object.create(stack.ledger, { profiles: { value: async () => new Map() } });
        const changed = rows.map((row, i) => (i === 4 ? { ...row, surname: 'Byron' } : row));
        stack.resetCounts();
        const summary = await stack.run(changed, { ledger: noProfiles });
        assert.equal(summary.compared, 20);
        assert.equal(summary.changed, 1);
        assert.equal(summary.unchanged, 19);
        assert.equal(stack.sent.PATCH, 1);
        assert.equal((await stack.user('u-004')).surname, 'Byron');
      } finally {
        await stack.close();
      }
    });
  });
}
