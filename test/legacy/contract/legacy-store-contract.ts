import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { LegacyStoreErrorCode, type LegacyLookup, type LegacyStore } from '../../../src/legacy/index.js';
import { ADA_OBJECT_ID, BIG_ID } from './accounts.js';

/** What each store kind provides to run the shared contract. */
export interface LegacyStoreFixture {
  kind: string;
  /** Creates and seeds the backing data with CONTRACT_ACCOUNTS. */
  setUp(): Promise<void>;
  /** Drops what setUp created. */
  tearDown(): Promise<void>;
  /** A store over the contract accounts with the contract query. */
  openStore(): Promise<LegacyStore>;
  /** SQL stores only. */
  sql?: SqlFixture;
}

export interface SqlFixture {
  /** The seeded table's name. */
  table: string;
  openWithQuery(query: string, queryTimeoutInMs?: number): Promise<LegacyStore>;
  /** A lookup query that takes about 2 s on the server; absent where a query cannot be interrupted (SQLite). */
  slowQuery?: string;
  /** A URL of this kind that cannot be reached, carrying `password`. */
  unreachableUrl(password: string): Promise<string>;
}

const lookup = (overrides: Partial<LegacyLookup>): LegacyLookup => ({
  username: 'nobody-at-all',
  email: null,
  objectId: '00000000-0000-4000-8000-000000000000',
  ...overrides,
});

function hasCode(code: string): (error: unknown) => boolean {
  return (error) => {
    assert.equal((error as { code?: unknown }).code, code, inspect(error));
    return true;
  };
}

/** Runs `use` on a store opened by `open` and always closes it. */
async function withStore<T>(open: () => Promise<LegacyStore>, use: (store: LegacyStore) => Promise<T>): Promise<T> {
  const store = await open();
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/**
 * The behaviour every legacy store shares. Call once per store kind, inside its own test file; `skip` is the
 * reason to skip (a server is not running) or false.
 */
export function legacyStoreContract(fixture: LegacyStoreFixture, skip: string | false): void {
  describe(`legacy store contract: ${fixture.kind}`, { skip }, () => {
    let store: LegacyStore;
    before(async () => {
      await fixture.setUp();
      store = await fixture.openStore();
    });
    after(async () => {
      await store?.close();
      await fixture.tearDown();
    });

    test('kind names the store', () => {
      assert.equal(store.kind, fixture.kind);
    });

    test('ping resolves', async () => {
      await store.ping();
    });

    test('finds an account by username, case-insensitively, with every contract field', async () => {
      assert.deepEqual(await store.findAccount(lookup({ username: 'ADA' })), {
        id: '1',
        passwordHash: '$2b$10$adaAdaAdaAdaAdaAdaAdaOeu4p6sHh1Z0i3P8Yc5pDqGz0Q3n0Sm',
        status: 'active',
        rawStatus: 'active',
        scheme: 'bcrypt',
        salt: 'pepper-not',
      });
    });

    test('finds an account by email', async () => {
      assert.equal((await store.findAccount(lookup({ email: 'Ada@Example.com' })))?.id, '1');
    });

    test('finds an account by a sign-in name that is its email', async () => {
      assert.equal((await store.findAccount(lookup({ username: 'ada@example.com' })))?.id, '1');
    });

    test('finds an account by objectId', async () => {
      assert.equal((await store.findAccount(lookup({ objectId: ADA_OBJECT_ID })))?.id, '1');
    });

    test('no matching account → null', async () => {
      assert.equal(await store.findAccount(lookup({ username: 'nobody@example.com', email: 'nobody@example.com' })), null);
    });

    const statuses: Array<[string, string, string | null]> = [
      ['ada', 'active', 'active'],
      ['no-status', 'active', null],
      ['empty-status', 'active', ''],
      ['locked', 'blocked', 'LOCKED'],
      ['disabled', 'blocked', 'disabled'],
      ['blocked', 'blocked', 'Blocked'],
      ['pending', 'blocked', 'pending-review'],
    ];
    for (const [username, status, rawStatus] of statuses) {
      test(`status ${JSON.stringify(rawStatus)} → ${status}`, async () => {
        const account = await store.findAccount(lookup({ username }));
        assert.equal(account?.status, status);
        assert.equal(account?.rawStatus, rawStatus);
      });
    }

    test('ids come back as strings, 64-bit ids exactly', async () => {
      const small = await store.findAccount(lookup({ username: 'no-status' }));
      assert.equal(small?.id, '2');
      const big = await store.findAccount(lookup({ username: 'big-id' }));
      assert.equal(big?.id, BIG_ID);
    });

    test('null scheme and salt stay null', async () => {
      const account = await store.findAccount(lookup({ username: 'no-status' }));
      assert.equal(account?.scheme, null);
      assert.equal(account?.salt, null);
    });

    test('two matching accounts → LEGACY_ROW_INVALID, never one of them', async () => {
      await assert.rejects(store.findAccount(lookup({ email: 'shared@example.com' })), hasCode(LegacyStoreErrorCode.ROW_INVALID));
    });

    test('an empty password hash → LEGACY_ROW_INVALID', async () => {
      await assert.rejects(store.findAccount(lookup({ username: 'no-hash' })), hasCode(LegacyStoreErrorCode.ROW_INVALID));
    });

    test('a unicode user name is found exactly', async () => {
      assert.equal((await store.findAccount(lookup({ username: 'zoë-ünïcødé-名前' })))?.id, '9');
    });

    test("a quote in a user name is just a character: o'brien", async () => {
      assert.equal((await store.findAccount(lookup({ username: "o'brien" })))?.id, '13');
    });

    const hostile = [
      "' OR 1=1 --",
      "ada' --",
      "ada'; DROP TABLE users; --",
      '" OR ""="',
      'ada\\',
      ':username',
      '$1',
      '?',
      '%',
      '\u202eada',
      'x'.repeat(10 * 1024),
      '😀'.repeat(2500),
    ];
    for (const username of hostile) {
      test(`a hostile user name is only a parameter: ${JSON.stringify(username.slice(0, 24))}${username.length > 24 ? '…' : ''}`, async () => {
        assert.equal(await store.findAccount(lookup({ username, email: username })), null);
      });
    }

    test('the store still answers after the hostile lookups', async () => {
      assert.equal((await store.findAccount(lookup({ username: 'ada' })))?.id, '1');
    });

    test('an aborted signal rejects with its reason and does no work', async () => {
      const reason = new Error('deadline');
      await assert.rejects(store.findAccount(lookup({ username: 'ada' }), { abortSignal: AbortSignal.abort(reason) }), (error) => error === reason);
      await assert.rejects(store.ping({ abortSignal: AbortSignal.abort(reason) }), (error) => error === reason);
    });

    test('after close, calls reject with LEGACY_STORE_UNAVAILABLE and close is idempotent', async () => {
      const closing = await fixture.openStore();
      await closing.close();
      await closing.close();
      await assert.rejects(closing.findAccount(lookup({ username: 'ada' })), hasCode(LegacyStoreErrorCode.UNAVAILABLE));
      await assert.rejects(closing.ping(), hasCode(LegacyStoreErrorCode.UNAVAILABLE));
    });

    if (fixture.sql) sqlContract(fixture.sql);
  });
}

function sqlContract(sql: SqlFixture): void {
  const { table } = sql;

  test('a query without a password_hash column → LEGACY_QUERY_INVALID, even when nothing matches', async () => {
    const query = `SELECT id, password_hash AS hash FROM ${table} WHERE username = :username`;
    await assert.rejects(
      withStore(() => sql.openWithQuery(query), (store) => store.findAccount(lookup({ username: 'nobody' }))),
      hasCode(LegacyStoreErrorCode.QUERY_INVALID),
    );
  });

  test('a column named twice (case-insensitively) → LEGACY_QUERY_INVALID', async () => {
    const query = `SELECT id, password_hash, status AS "STATUS", status FROM ${table} WHERE username = :username`;
    await assert.rejects(
      withStore(() => sql.openWithQuery(query.replaceAll('"', table.startsWith('`') ? '`' : '"')), (store) => store.findAccount(lookup({ username: 'ada' }))),
      (error: unknown) => [LegacyStoreErrorCode.QUERY_INVALID].includes((error as { code: 'LEGACY_QUERY_INVALID' }).code),
    );
  });

  test('a SQL syntax error → LEGACY_QUERY_INVALID', async () => {
    await assert.rejects(
      withStore(() => sql.openWithQuery(`SELEC password_hash FORM ${table} WHERE username = :username`), (store) => store.findAccount(lookup({}))),
      hasCode(LegacyStoreErrorCode.QUERY_INVALID),
    );
  });

  test('an unknown table → LEGACY_QUERY_INVALID', async () => {
    await assert.rejects(
      withStore(() => sql.openWithQuery(`SELECT password_hash FROM ${table}_missing WHERE username = :username`), (store) => store.findAccount(lookup({}))),
      hasCode(LegacyStoreErrorCode.QUERY_INVALID),
    );
  });

  test('an unknown named parameter → LEGACY_QUERY_INVALID naming it, before any connection', async () => {
    await assert.rejects(sql.openWithQuery(`SELECT password_hash FROM ${table} WHERE username = :login`), (error: unknown) => {
      assert.equal((error as { code?: string }).code, LegacyStoreErrorCode.QUERY_INVALID);
      assert.match((error as { publicMessage: string }).publicMessage, /:login/);
      return true;
    });
  });

  test('an unreachable server → LEGACY_STORE_UNAVAILABLE quickly, and the URL password is never shown', async () => {
    const password = 'Sup3r-S3cret-pw';
    const url = await sql.unreachableUrl(password);
    const { openSqlLegacyStore } = await import('../../../src/legacy/index.js');
    const started = performance.now();
    const error = await withStore(
      () => openSqlLegacyStore({ url, query: `SELECT password_hash FROM ${table} WHERE username = :username` }),
      (store) => store.findAccount(lookup({ username: 'ada' })).then(() => undefined, (caught: unknown) => caught),
    ).catch((caught: unknown) => caught); // SQLite fails at open
    assert.ok(performance.now() - started < 1000, 'fails within a second');
    assert.equal((error as { code?: string }).code, LegacyStoreErrorCode.UNAVAILABLE, inspect(error));
    assert.equal(inspect(error, { depth: 10 }).includes(password), false, 'the password appears nowhere in the error');
    assert.equal(JSON.stringify(error).includes(password), false);
  });

  if (sql.slowQuery !== undefined) {
    const slowQuery = sql.slowQuery;
    test('a query slower than the timeout → LEGACY_STORE_TIMEOUT at about the timeout; the store still works after', async () => {
      await withStore(
        () => sql.openWithQuery(slowQuery, 300),
        async (store) => {
          await store.ping(); // connect first, so only the query is timed
          const started = performance.now();
          await assert.rejects(store.findAccount(lookup({ username: 'ada' })), hasCode(LegacyStoreErrorCode.TIMEOUT));
          const elapsedInMs = performance.now() - started;
          assert.ok(elapsedInMs >= 250 && elapsedInMs < 800, `timed out after ${elapsedInMs} ms`);
          await store.ping();
        },
      );
    });

    test('an abort signal abandons a slow query at once with its reason', async () => {
      await withStore(
        () => sql.openWithQuery(slowQuery, 5000),
        async (store) => {
          const started = performance.now();
          const controller = new AbortController();
          setTimeout(() => controller.abort(new Error('deadline')), 100);
          await assert.rejects(store.findAccount(lookup({ username: 'ada' }), { abortSignal: controller.signal }), /deadline/);
          assert.ok(performance.now() - started < 600);
        },
      );
    });
  }
}
