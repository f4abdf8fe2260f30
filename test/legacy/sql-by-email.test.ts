import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { LegacyStoreErrorCode, openSqlLegacyStore } from '../../src/legacy/index.js';
import type { LegacyDirectory } from '../../src/legacy/legacy-directory.js';
import { sqlLegacyDirectory } from '../../src/legacy/stores/sql/sql-directory.js';
import { SERVICES, skipUnlessService } from '../support/services.js';

const bounds = () => ({ abortSignal: new AbortController().signal, deadlineAt: Date.now() + 2000 });
const HASH = '$2b$04$abcdefghijklmnopqrstuuS4n1y3Xh0ejIq3bH4Z0ZlC6GbK9JZ6W';

/** id, login, email, hash, status, display_name, given_name, surname */
const ROWS: ReadonlyArray<readonly unknown[]> = [
  [42, 'ada', 'Ada@Example.org', HASH, 'active', 'Ada Lovelace', 'Ada', 'Lovelace'],
  [43, 'tim', 'tim@example.org', HASH, null, null, null, null],
  [44, 'mallory', 'mallory@example.org', HASH, 'locked', '  Mallory  ', 'Mal\u0007lory', ''],
  [45, 'twin1', 'twin@example.org', HASH, null, null, null, null],
  [46, 'twin2', 'twin@example.org', HASH, null, null, null, null],
];
const query = (table: string) =>
  `SELECT id, password_hash, status, display_name, given_name, surname FROM ${table} WHERE lower(email) = lower(:email) OR lower(login) = lower(:username)`;

function byEmailContract(open: () => Promise<LegacyDirectory>, openWithoutProfile: () => Promise<LegacyDirectory>) {
  let directory: LegacyDirectory;
  before(async () => {
    directory = await open();
  });
  after(() => directory.close());

  test(':email and :username are both the address; the profile columns are read, the hash is not returned', async () => {
    const entry = await directory.findByEmail('ada@example.org', bounds());
    assert.deepEqual(entry, { legacyId: '42', status: 'active', profile: { displayName: 'Ada Lovelace', givenName: 'Ada', surname: 'Lovelace' } });
    assert.ok(!JSON.stringify(entry).includes(HASH));
  });

  test('null profile columns give an empty profile; no account gives null', async () => {
    assert.deepEqual(await directory.findByEmail('tim@example.org', bounds()), { legacyId: '43', status: 'active', profile: {} });
    assert.equal(await directory.findByEmail('nobody@example.org', bounds()), null);
  });

  test('profile values are trimmed; empty ones and ones with control characters are dropped; a locked status is blocked', async () => {
    assert.deepEqual(await directory.findByEmail('mallory@example.org', bounds()), { legacyId: '44', status: 'blocked', profile: { displayName: 'Mallory' } });
  });

  test('an address two accounts share is an error, never one of them', async () => {
    await assert.rejects(directory.findByEmail('twin@example.org', bounds()), (error: { code?: string }) => error.code === LegacyStoreErrorCode.ROW_INVALID);
  });

  test('hostile addresses are bound as parameters: they match nothing', async () => {
    for (const hostile of ["' OR 1=1 --", "ada@example.org' --", '%', '\u0000']) assert.equal(await directory.findByEmail(hostile, bounds()), null, hostile);
  });

  test('an aborted lookup rejects with the signal\'s reason', async () => {
    const abort = new AbortController();
    const reason = new Error('deadline');
    abort.abort(reason);
    await assert.rejects(directory.findByEmail('ada@example.org', { abortSignal: abort.signal, deadlineAt: Date.now() + 1000 }), (error) => error === reason);
  });

  test('a query without profile columns still works: the profile is empty', async () => {
    const plain = await openWithoutProfile();
    try {
      assert.deepEqual(await plain.findByEmail('ada@example.org', bounds()), { legacyId: '42', status: 'active', profile: {} });
    } finally {
      await plain.close();
    }
  });
}

describe('SQLite legacy store asked by e-mail', () => {
  const dir = mkdtempSync(join(tmpdir(), 'by-email-'));
  const url = `sqlite://${join(dir, 'legacy.db')}`;
  const db = new Database(join(dir, 'legacy.db'));
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, login TEXT, email TEXT, password_hash TEXT NOT NULL, status TEXT, display_name TEXT, given_name TEXT, surname TEXT)');
  for (const row of ROWS) db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(...row);
  db.close();
  after(() => rmSync(dir, { recursive: true, force: true }));
  byEmailContract(
    async () => sqlLegacyDirectory(await openSqlLegacyStore({ url, query: query('users') })),
    async () => sqlLegacyDirectory(await openSqlLegacyStore({ url, query: 'SELECT id, password_hash FROM users WHERE lower(email) = lower(:email)' })),
  );
});

describe('PostgreSQL legacy store asked by e-mail', { skip: await skipUnlessService('postgres') }, () => {
  const table = `by_email_${randomBytes(4).toString('hex')}`;
  const { url } = SERVICES.postgres;
  const withClient = async (work: (client: pg.Client) => Promise<unknown>) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await work(client);
    } finally {
      await client.end();
    }
  };
  before(() =>
    withClient(async (client) => {
      await client.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, login text, email text, password_hash text NOT NULL, status text, display_name text, given_name text, surname text)`);
      for (const row of ROWS) await client.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [...row]);
    }),
  );
  after(() => withClient((client) => client.query(`DROP TABLE IF EXISTS ${table}`)));
  byEmailContract(
    async () => sqlLegacyDirectory(await openSqlLegacyStore({ url, query: query(table) })),
    async () => sqlLegacyDirectory(await openSqlLegacyStore({ url, query: `SELECT id, password_hash FROM ${table} WHERE lower(email) = lower(:email)` })),
  );
});
