import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { countSqlExport, LegacyStoreErrorCode, readSqlExport, type SqlExportOptions } from '../../src/legacy/index.js';
import { SERVICES, skipUnlessService } from '../support/services.js';

/** 2,503 accounts with gaps in the ids (every seventh missing) and one soft-deleted in every hundred. */
const ROWS = Array.from({ length: 2925 }, (_, i) => i + 1)
  .filter((id) => id % 7 !== 0)
  .map((id) => ({ id, email: `user${id}@example.com`, deleted: id % 100 === 0 ? 1 : 0 }));
const LIVE = ROWS.filter((row) => row.deleted === 0);

const collect = async (options: SqlExportOptions) => {
  const rows: Array<Record<string, unknown>> = [];
  for await (const row of readSqlExport(options)) rows.push(row);
  return rows;
};

interface Database_ {
  url: () => string;
  setUp(table: string): Promise<void>;
  tearDown(table: string): Promise<void>;
}

const table = `export_${process.pid}_${randomBytes(3).toString('hex')}`;

function sqlite(): Database_ {
  let dir = '';
  return {
    url: () => `sqlite://${join(dir, 'legacy.db')}`,
    async setUp(name) {
      dir = await mkdtemp(join(tmpdir(), 'export-'));
      const db = new Database(join(dir, 'legacy.db'));
      db.exec(`CREATE TABLE ${name} (id INTEGER PRIMARY KEY, email TEXT NOT NULL, deleted INTEGER NOT NULL)`);
      const insert = db.prepare(`INSERT INTO ${name} VALUES (?, ?, ?)`);
      db.transaction(() => ROWS.forEach((row) => insert.run(row.id, row.email, row.deleted)))();
      db.close();
    },
    tearDown: () => rm(dir, { recursive: true, force: true }),
  };
}

function postgres(): Database_ {
  const run = async (work: (client: pg.Client) => Promise<unknown>) => {
    const client = new pg.Client(SERVICES.postgres.url);
    await client.connect();
    try {
      await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    url: () => SERVICES.postgres.url,
    setUp: (name) =>
      run(async (client) => {
        await client.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, email text NOT NULL, deleted int NOT NULL)`);
        await client.query(`INSERT INTO ${name} SELECT * FROM unnest($1::bigint[], $2::text[], $3::int[])`, [ROWS.map((r) => r.id), ROWS.map((r) => r.email), ROWS.map((r) => r.deleted)]);
      }),
    tearDown: (name) => run((client) => client.query(`DROP TABLE IF EXISTS ${name}`)),
  };
}

function mariadb(): Database_ {
  const run = async (work: (connection: mysql.Connection) => Promise<unknown>) => {
    const connection = await mysql.createConnection({ host: SERVICES.mariadb.host, port: SERVICES.mariadb.port, user: 'root', database: 'test' });
    try {
      await work(connection);
    } finally {
      await connection.end();
    }
  };
  return {
    url: () => SERVICES.mariadb.url,
    setUp: (name) =>
      run(async (connection) => {
        await connection.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, email varchar(200) NOT NULL, deleted int NOT NULL)`);
        await connection.query(`INSERT INTO ${name} VALUES ?`, [ROWS.map((r) => [r.id, r.email, r.deleted])]);
      }),
    tearDown: (name) => run((connection) => connection.query(`DROP TABLE IF EXISTS ${name}`)),
  };
}

const DATABASES: Array<[string, 'postgres' | 'mariadb' | null, () => Database_]> = [
  ['SQLite', null, sqlite],
  ['PostgreSQL', 'postgres', postgres],
  ['MariaDB', 'mariadb', mariadb],
];

for (const [name, service, make] of DATABASES) {
  describe(`readSqlExport on ${name}`, async () => {
    const skip = service === null ? false : await skipUnlessService(service);
    const db = make();
    before(async () => {
      if (!skip) await db.setUp(table);
    });
    after(async () => {
      if (!skip) await db.tearDown(table);
    });

    it('reads every selected row once, in key order, across pages of any size', { skip }, async () => {
      for (const pageSize of [1, 7, 1000, 2475, 10_000]) {
        const rows = await collect({ url: db.url(), query: `SELECT id, email FROM ${table} WHERE deleted = 0`, pageSize });
        assert.equal(rows.length, LIVE.length, `page size ${pageSize}`);
        assert.deepEqual(rows.map((row) => Number(row.id)), LIVE.map((row) => row.id), `page size ${pageSize}`);
        assert.equal(rows[5]!.email, LIVE[5]!.email);
      }
    });

    it('counts what it will read, for the progress total', { skip }, async () => {
      assert.equal(await countSqlExport({ url: db.url(), query: `SELECT id, email FROM ${table} WHERE deleted = 0` }), LIVE.length);
      assert.equal(await countSqlExport({ url: db.url(), query: `SELECT id FROM ${table} WHERE id < 10;` }), 8);
      await assert.rejects(countSqlExport({ url: db.url(), query: 'SELECT id FROM no_such_table_here' }), { code: LegacyStoreErrorCode.QUERY_INVALID });
    });

    it('accepts a trailing semicolon and a trailing comment', { skip }, async () => {
      const rows = await collect({ url: db.url(), query: `SELECT id, email FROM ${table} WHERE id < 10; -- first few`, pageSize: 3 });
      assert.deepEqual(rows.map((row) => Number(row.id)), [1, 2, 3, 4, 5, 6, 8, 9]);
    });

    it('pages on another key column when told to', { skip }, async () => {
      const rows = await collect({ url: db.url(), query: `SELECT id AS legacy_id, email FROM ${table} WHERE id <= 30`, keyColumn: 'legacy_id', pageSize: 4 });
      assert.deepEqual(rows.map((row) => Number(row.legacy_id)), LIVE.filter((row) => row.id <= 30).map((row) => row.id));
    });

    it('says which query is wrong, without a row value, when the table or key column is missing', { skip }, async () => {
      await assert.rejects(collect({ url: db.url(), query: 'SELECT id, email FROM no_such_table_here' }), (error: Error & { code?: string }) => {
        assert.equal(error.code, LegacyStoreErrorCode.QUERY_INVALID);
        assert.match(error.message, /legacy export query failed/);
        return true;
      });
      await assert.rejects(collect({ url: db.url(), query: `SELECT email FROM ${table}`, pageSize: 10 }), { code: LegacyStoreErrorCode.QUERY_INVALID });
    });
  });
}

describe('readSqlExport refuses, before connecting', () => {
  const url = 'postgres://reader:s3cret@127.0.0.1:1/legacy';
  const cases: Array<[string, Partial<SqlExportOptions>, RegExp]> = [
    ['a named parameter', { query: 'SELECT id, email FROM users WHERE id > :after' }, /unknown parameter :after .*takes no parameters/],
    ['a positional placeholder', { query: 'SELECT id, email FROM users WHERE id > $1' }, /positional parameter/],
    ['a second statement', { query: 'SELECT id, email FROM users; DROP TABLE users' }, /one SELECT statement/],
    ['an unterminated string', { query: "SELECT id FROM users WHERE email = 'x" }, /unterminated string/],
    ['an empty query', { query: '  ' }, /is empty/],
    ['a key column that is an expression', { query: 'SELECT id FROM users', keyColumn: 'id; DROP TABLE users' }, /plain column name/],
    ['a page size of 0', { query: 'SELECT id FROM users', pageSize: 0 }, /page size/],
    ['a page size of a million', { query: 'SELECT id FROM users', pageSize: 1_000_000 }, /page size/],
  ];
  for (const [what, options, message] of cases) {
    it(what, async () => {
      await assert.rejects(collect({ url, query: '', ...options }), (error: Error) => {
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /s3cret/);
        return true;
      });
    });
  }

  it('an unsupported URL scheme, with the password redacted', async () => {
    await assert.rejects(collect({ url: 'mongodb://u:s3cret@db/legacy', query: 'SELECT id FROM users' }), (error: Error & { code?: string }) => {
      assert.equal(error.code, LegacyStoreErrorCode.URL_INVALID);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
  });

  it('reports an unreachable server as unavailable, with the password redacted', async () => {
    await assert.rejects(collect({ url, query: 'SELECT id FROM users', pageTimeoutInMs: 2000 }), (error: Error & { code?: string }) => {
      assert.equal(error.code, LegacyStoreErrorCode.UNAVAILABLE);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
  });
});
