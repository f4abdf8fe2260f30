import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { SERVICES } from '../../support/services.js';

/** One legacy user's claims row: id (the legacy id), object id, e-mail, and the claim columns. */
export interface ClaimsRow {
  id: number;
  objectId: string | null;
  email: string;
  department: string | null;
  roles: string | null;
  level: number | null;
}

/** The users of the claims table: ada has every claim, tim only some, two rows share an e-mail (first row wins). */
export const CLAIMS_ROWS: readonly ClaimsRow[] = [
  { id: 42, objectId: 'ada-object-id', email: 'ada@contoso.example', department: 'R&D', roles: '["Writer","Editor"]', level: 3 },
  { id: 43, objectId: null, email: 'tim@contoso.example', department: null, roles: '[]', level: null },
  { id: 44, objectId: null, email: 'twin@contoso.example', department: 'First', roles: null, level: 1 },
  { id: 45, objectId: null, email: 'twin@contoso.example', department: 'Second', roles: null, level: 2 },
  { id: 46, objectId: null, email: 'big@contoso.example', department: 'x'.repeat(3100), roles: null, level: null },
];

/** A database the claims tests run against: its URL, the table, how to quote an alias, and a slow query. */
export interface ClaimsDatabase {
  dialect: 'sqlite' | 'postgres' | 'mysql';
  url: string;
  table: string;
  quote(name: string): string;
  /** A query that matches ada but takes about 2 s. */
  slowQuery?: string;
  /** A URL of the same kind where nothing answers. */
  unreachableUrl: string;
  /** Runs SQL on the database outside the source (to check a table survived a hostile value). */
  count(): Promise<number>;
  tearDown(): Promise<void>;
}

const uniqueTable = () => `claims_${process.pid}_${randomBytes(3).toString('hex')}`;
const createTable = (table: string, types: { id: string; text: string; long: string }) =>
  `CREATE TABLE ${table} (id ${types.id} PRIMARY KEY, object_id ${types.text}, email ${types.text} NOT NULL, department ${types.long}, roles ${types.long}, level INTEGER)`;
const values = (row: ClaimsRow) => [row.id, row.objectId, row.email, row.department, row.roles, row.level];

export async function sqliteClaimsDatabase(): Promise<ClaimsDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'claims-sqlite-'));
  const path = join(dir, 'legacy.db');
  const table = uniqueTable();
  const db = new Database(path);
  db.exec(createTable(table, { id: 'INTEGER', text: 'TEXT', long: 'TEXT' }));
  const insert = db.prepare(`INSERT INTO ${table} VALUES (?, ?, ?, ?, ?, ?)`);
  for (const row of CLAIMS_ROWS) insert.run(...values(row));
  db.close();
  return {
    dialect: 'sqlite',
    url: `sqlite://${path}`,
    table,
    quote: (name) => `"${name}"`,
    unreachableUrl: `sqlite://${join(dir, 'missing', 'legacy.db')}`,
    count: async () => {
      const reader = new Database(path, { readonly: true });
      try {
        return (reader.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      } finally {
        reader.close();
      }
    },
    tearDown: () => rm(dir, { recursive: true, force: true }),
  };
}

export async function postgresClaimsDatabase(): Promise<ClaimsDatabase> {
  const url = SERVICES.postgres.url;
  const table = uniqueTable();
  const run = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  await run(async (client) => {
    await client.query(createTable(table, { id: 'bigint', text: 'text', long: 'text' }));
    for (const row of CLAIMS_ROWS) await client.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5, $6)`, values(row));
  });
  return {
    dialect: 'postgres',
    url,
    table,
    quote: (name) => `"${name}"`,
    slowQuery: `SELECT department FROM ${table}, pg_sleep(2) WHERE id = :legacyId`,
    unreachableUrl: 'postgres://someone:claims-db-secret@127.0.0.1:1/none',
    count: () => run(async (client) => Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)),
    tearDown: () => run((client) => client.query(`DROP TABLE IF EXISTS ${table}`)).then(() => undefined),
  };
}

export async function mysqlClaimsDatabase(): Promise<ClaimsDatabase> {
  const url = SERVICES.mariadb.url;
  const table = uniqueTable();
  const run = async <T>(work: (connection: mysql.Connection) => Promise<T>): Promise<T> => {
    const connection = await mysql.createConnection(url);
    try {
      return await work(connection);
    } finally {
      await connection.end();
    }
  };
  await run(async (connection) => {
    await connection.query(`${createTable(table, { id: 'BIGINT', text: 'VARCHAR(300)', long: 'TEXT' })} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    for (const row of CLAIMS_ROWS) await connection.query(`INSERT INTO ${table} VALUES (?, ?, ?, ?, ?, ?)`, values(row));
  });
  return {
    dialect: 'mysql',
    url,
    table,
    quote: (name) => `\`${name}\``,
    slowQuery: `SELECT department FROM ${table} WHERE id = :legacyId AND SLEEP(2) = 0`,
    unreachableUrl: 'mysql://someone:claims-db-secret@127.0.0.1:1/none',
    count: () => run(async (connection) => Number(((await connection.query(`SELECT count(*) AS n FROM ${table}`)) as [Array<{ n: number }>, unknown])[0][0]!.n)),
    tearDown: () => run((connection) => connection.query(`DROP TABLE IF EXISTS ${table}`)).then(() => undefined),
  };
}
