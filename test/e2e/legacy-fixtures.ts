import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { SERVICES, type ServiceName } from '../support/services.js';

/** One row of the end-to-end legacy table. */
export interface LegacyRow {
  id: string;
  email: string;
  passwordHash: string;
  status: string | null;
}

/** The legacy users every end-to-end suite starts from, each there for one answer. */
export async function legacyRows(): Promise<LegacyRow[]> {
  const django = (password: string) => {
    const salt = randomBytes(9).toString('hex');
    const iterations = 1000;
    return `pbkdf2_sha256$${iterations}$${salt}$${pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64')}`;
  };
  return [
    { id: '1', email: 'bcrypt@e2e.example', passwordHash: await bcryptHash(CANARY_PASSWORDS.correct, 4), status: 'active' },
    { id: '2', email: 'argon@e2e.example', passwordHash: await argon2Hash(CANARY_PASSWORDS.correct, { memoryCost: 1024, timeCost: 1 }), status: null },
    { id: '3', email: 'django@e2e.example', passwordHash: django(CANARY_PASSWORDS.correct), status: 'active' },
    { id: '4', email: 'weak@e2e.example', passwordHash: await bcryptHash(CANARY_PASSWORDS.weak, 4), status: 'active' },
    { id: '5', email: 'locked@e2e.example', passwordHash: await bcryptHash(CANARY_PASSWORDS.correct, 4), status: 'locked' },
    { id: '6', email: 'unicode@e2e.example', passwordHash: await bcryptHash(CANARY_PASSWORDS.unicode, 4), status: 'active' },
  ];
}

/** A legacy table on one kind of server, created for one suite and dropped after it. */
export interface LegacyDatabase {
  url: string;
  query: string;
  drop(): Promise<void>;
}

const table = () => `e2e_users_${process.pid}_${randomBytes(3).toString('hex')}`;

export async function createLegacyDatabase(kind: 'sqlite' | Extract<ServiceName, 'postgres' | 'mariadb'>, rows: readonly LegacyRow[]): Promise<LegacyDatabase> {
  const name = table();
  const values = rows.map((row) => [row.id, row.email, row.passwordHash, row.status]);
  if (kind === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'entra-migrate-legacy-'));
    const path = join(dir, 'legacy.db');
    const db = new Database(path);
    db.exec(`CREATE TABLE ${name} (id TEXT PRIMARY KEY, email TEXT UNIQUE NOT NULL, password_hash TEXT NOT NULL, status TEXT)`);
    const insert = db.prepare(`INSERT INTO ${name} VALUES (?, ?, ?, ?)`);
    for (const row of values) insert.run(...row);
    db.close();
    return {
      url: `sqlite://${path}`,
      query: `SELECT id, password_hash, status FROM ${name} WHERE email = lower(:username)`,
      drop: () => rm(dir, { recursive: true, force: true }),
    };
  }
  if (kind === 'postgres') {
    const client = new pg.Client({ connectionString: SERVICES.postgres.url });
    await client.connect();
    try {
      await client.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, email text UNIQUE NOT NULL, password_hash text NOT NULL, status text)`);
      for (const row of values) await client.query(`INSERT INTO ${name} VALUES ($1, $2, $3, $4)`, row);
    } finally {
      await client.end();
    }
    return {
      url: SERVICES.postgres.url,
      query: `SELECT id, password_hash, status FROM ${name} WHERE email = lower(:username)`,
      async drop() {
        const dropper = new pg.Client({ connectionString: SERVICES.postgres.url });
        await dropper.connect();
        await dropper.query(`DROP TABLE IF EXISTS ${name}`).finally(() => dropper.end());
      },
    };
  }
  const connection = await mysql.createConnection(SERVICES.mariadb.url);
  try {
    await connection.query(`CREATE TABLE ${name} (id BIGINT PRIMARY KEY, email VARCHAR(200) UNIQUE NOT NULL, password_hash VARCHAR(300) NOT NULL, status VARCHAR(20)) CHARACTER SET utf8mb4`);
    for (const row of values) await connection.query(`INSERT INTO ${name} VALUES (?, ?, ?, ?)`, row);
  } finally {
    await connection.end();
  }
  return {
    url: SERVICES.mariadb.url,
    query: `SELECT id, password_hash, status FROM ${name} WHERE email = lower(:username)`,
    async drop() {
      const dropper = await mysql.createConnection(SERVICES.mariadb.url);
      await dropper.query(`DROP TABLE IF EXISTS ${name}`).finally(() => dropper.end());
    },
  };
}
