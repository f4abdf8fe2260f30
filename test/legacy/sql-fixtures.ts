import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { createMemoryLegacyStore, openSqlLegacyStore } from '../../src/legacy/index.js';
import { SERVICES } from '../support/services.js';
import { CONTRACT_ACCOUNTS, contractQuery, createTableSql, rowValues } from './contract/accounts.js';
import type { LegacyStoreFixture } from './contract/legacy-store-contract.js';

const uniqueTable = (prefix: string) => `${prefix}_${process.pid}_${randomBytes(3).toString('hex')}`;

export function memoryFixture(): LegacyStoreFixture {
  return {
    kind: 'memory',
    setUp: async () => {},
    tearDown: async () => {},
    openStore: async () =>
      createMemoryLegacyStore(
        CONTRACT_ACCOUNTS.map((account) => ({
          username: account.username,
          email: account.email,
          objectId: account.objectId,
          id: account.id,
          passwordHash: account.passwordHash,
          status: account.status,
          scheme: account.scheme,
          salt: account.salt,
        })),
      ),
  };
}

export function sqliteFixture(): LegacyStoreFixture {
  const table = uniqueTable('legacy_users');
  let dir = '';
  let url = '';
  return {
    kind: 'sqlite',
    async setUp() {
      dir = await mkdtemp(join(tmpdir(), 'legacy-sqlite-'));
      url = `sqlite://${join(dir, 'legacy.db')}`;
      const db = new Database(join(dir, 'legacy.db'));
      db.exec(createTableSql(table, { id: 'INTEGER', text: 'TEXT' }));
      const insert = db.prepare(`INSERT INTO ${table} VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const account of CONTRACT_ACCOUNTS) insert.run(...rowValues(account));
      db.close();
    },
    tearDown: () => rm(dir, { recursive: true, force: true }),
    openStore: () => openSqlLegacyStore({ url, query: contractQuery(table) }),
    sql: {
      table,
      openWithQuery: (query, queryTimeoutInMs) => openSqlLegacyStore({ url, query, ...(queryTimeoutInMs && { queryTimeoutInMs }) }),
      unreachableUrl: async () => `sqlite://${join(tmpdir(), 'no-such-dir-' + randomBytes(4).toString('hex'), 'legacy.db')}`,
    },
  };
}

export function postgresFixture(): LegacyStoreFixture {
  const table = uniqueTable('legacy_users');
  const url = SERVICES.postgres.url;
  const withClient = async (work: (client: pg.Client) => Promise<unknown>) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    kind: 'postgres',
    setUp: () =>
      withClient(async (client) => {
        await client.query(createTableSql(table, { id: 'bigint', text: 'text' }));
        for (const account of CONTRACT_ACCOUNTS) await client.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, rowValues(account));
      }),
    tearDown: () => withClient((client) => client.query(`DROP TABLE IF EXISTS ${table}`)),
    openStore: () => openSqlLegacyStore({ url, query: contractQuery(table) }),
    sql: {
      table,
      openWithQuery: (query, queryTimeoutInMs) => openSqlLegacyStore({ url, query, ...(queryTimeoutInMs && { queryTimeoutInMs }) }),
      slowQuery: `SELECT password_hash FROM ${table}, pg_sleep(2) WHERE username = :username`,
      unreachableUrl: async (password) => `postgres://someone:${password}@127.0.0.1:1/none`,
    },
  };
}

export function mysqlFixture(): LegacyStoreFixture {
  const table = uniqueTable('legacy_users');
  const url = SERVICES.mariadb.url;
  const withConnection = async (work: (connection: mysql.Connection) => Promise<unknown>) => {
    const connection = await mysql.createConnection(url);
    try {
      await work(connection);
    } finally {
      await connection.end();
    }
  };
  return {
    kind: 'mysql',
    setUp: () =>
      withConnection(async (connection) => {
        await connection.query(`${createTableSql(table, { id: 'BIGINT', text: 'VARCHAR(300)' })} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
        for (const account of CONTRACT_ACCOUNTS) await connection.query(`INSERT INTO ${table} VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, rowValues(account));
      }),
    tearDown: () => withConnection((connection) => connection.query(`DROP TABLE IF EXISTS ${table}`)),
    openStore: () => openSqlLegacyStore({ url, query: contractQuery(table) }),
    sql: {
      table,
      openWithQuery: (query, queryTimeoutInMs) => openSqlLegacyStore({ url, query, ...(queryTimeoutInMs && { queryTimeoutInMs }) }),
      slowQuery: `SELECT password_hash FROM ${table} WHERE username = :username AND SLEEP(2) = 0`,
      unreachableUrl: async (password) => `mysql://someone:${password}@127.0.0.1:1/none`,
    },
  };
}
