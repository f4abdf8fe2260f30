import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { LegacyStoreErrorCode, openSqlLegacyStore, readSqlExport, type LegacyLookup, type LegacyStore } from '../../src/legacy/index.js';
import { SERVICES, skipUnlessService, type ServiceName } from '../support/services.js';
import { settlesWithin, startStallProxy, type StallProxy } from '../support/stall-proxy.js';
import { contractQuery } from './contract/accounts.js';
import type { LegacyStoreFixture } from './contract/legacy-store-contract.js';
import { mysqlFixture, postgresFixture } from './sql-fixtures.js';

// A pooled connection that stalls (TCP up, nothing comes back) must cost one call, not every call for as long as
// the socket lives: the call that meets it times out and destroys it, and the next call gets a fresh connection.
// A proxy in this process sits between the store and the real server and stalls the connections open at a moment.

const ada: LegacyLookup = { username: 'ada', email: null, objectId: '00000000-0000-4000-8000-000000000000' };

const hasCode = (code: string) => (error: unknown) => {
  assert.equal((error as { code?: unknown }).code, code, inspect(error));
  return true;
};

const KINDS: Array<{ service: ServiceName; fixture: LegacyStoreFixture }> = [
  { service: 'postgres', fixture: postgresFixture() },
  { service: 'mariadb', fixture: mysqlFixture() },
];

for (const { service, fixture } of KINDS) {
  describe(`stalled connections: ${fixture.kind}`, { skip: await skipUnlessService(service) }, () => {
    /** A proxy of its own for one test, and the server's URL through it; the proxy is closed afterwards. */
    const withProxy = async (use: (url: string, proxy: StallProxy) => Promise<void>) => {
      const proxy = await startStallProxy(SERVICES[service]);
      const url = new URL(SERVICES[service].url);
      url.port = String(proxy.port);
      try {
        await use(url.href, proxy);
      } finally {
        await proxy.close();
      }
    };
    /** A store through a proxy of its own, for one test. */
    const throughProxy = (queryTimeoutInMs: number, poolSize: number, use: (store: LegacyStore, proxy: StallProxy) => Promise<void>) =>
      withProxy(async (url, proxy) => {
        const store = await openSqlLegacyStore({ url, query: contractQuery(fixture.sql!.table), queryTimeoutInMs, poolSize });
        try {
          await use(store, proxy);
        } finally {
          await proxy.close(); // first: a pool still holding a stalled connection would wait for it forever
          await store.close();
        }
      });

    before(() => fixture.setUp());
    after(() => fixture.tearDown());

    test('the call that meets a stalled connection times out and destroys it; the next call succeeds on a fresh one', () =>
      throughProxy(300, 1, async (store, proxy) => {
        await store.ping();
        assert.equal(proxy.stall(), 1, 'the pool held one connection');
        await assert.rejects(store.findAccount(ada), hasCode(LegacyStoreErrorCode.TIMEOUT));
        assert.equal((await store.findAccount(ada))?.id, '1', 'the next call is answered');
        await proxy.stalledClosed(2000);
      }));

    test('a call abandoned by its abort signal destroys its stalled connection at once, long before the query timeout', () =>
      throughProxy(10_000, 1, async (store, proxy) => {
        await store.ping();
        assert.equal(proxy.stall(), 1);
        const reason = new Error('caller deadline');
        const controller = new AbortController();
        setTimeout(() => controller.abort(reason), 100);
        await assert.rejects(store.findAccount(ada, { abortSignal: controller.signal }), (error) => error === reason);
        await proxy.stalledClosed(2000); // the query timeout is 10 s: only destroying the abandoned connection closes it this soon
        assert.equal((await store.findAccount(ada))?.id, '1');
      }));

    const poolSize = 3;
    test('a pool whose every connection stalled heals within one failed call per connection, and closes them all', () =>
      throughProxy(300, poolSize, async (store, proxy) => {
        await Promise.all(Array.from({ length: poolSize }, () => store.ping()));
        const pooled = proxy.accepted();
        assert.ok(pooled >= 1 && pooled <= poolSize, `${pooled} connections pooled`);
        assert.equal(proxy.stall(), pooled);
        const outcomes: string[] = [];
        for (let call = 0; call <= pooled; call += 1) {
          outcomes.push(await store.findAccount(ada).then((account) => `found ${account?.id}`, (error: { code?: string }) => String(error.code)));
        }
        assert.equal(outcomes.at(-1), 'found 1', `calls after the stall: ${outcomes.join(', ')}`);
        assert.ok(outcomes.slice(0, -1).every((outcome) => outcome === LegacyStoreErrorCode.TIMEOUT || outcome === 'found 1'), outcomes.join(', '));
        await proxy.stalledClosed(2000);
      }));

    test('an export whose connection stalls between pages fails with LEGACY_STORE_TIMEOUT and closes the connection', () =>
      withProxy(async (url, proxy) => {
        const rows = readSqlExport({ url, query: `SELECT id, username FROM ${fixture.sql!.table}`, pageSize: 2, pageTimeoutInMs: 300 });
        const first = await rows.next();
        assert.equal(first.done, false);
        assert.equal(proxy.stall(), 1);
        const rest = (async () => {
          for (let row = await rows.next(); !row.done; row = await rows.next());
        })();
        await settlesWithin(assert.rejects(rest, hasCode(LegacyStoreErrorCode.TIMEOUT)), 3000, 'the stalled export');
        await proxy.stalledClosed(2000);
      }));
  });
}
