import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, renameSync, unlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { inspect } from 'node:util';
import Database from 'better-sqlite3';
import { LegacyStoreErrorCode, openSqlLegacyStore, type LegacyLookup, type LegacyStore } from '../../src/legacy/index.js';
import { CONTRACT_ACCOUNTS, contractQuery, createTableSql, rowValues } from './contract/accounts.js';

// A SQLite legacy file replaced while the store serves (deleted, made unreadable, renamed over) is noticed at the
// next check — at most every fileCheckIntervalInMs of the store's clock — instead of the store answering from the
// file it opened first for as long as it runs.

const TABLE = 'legacy_users';
const CHECK_INTERVAL_IN_MS = 2000;
const ada: LegacyLookup = { username: 'ada', email: null, objectId: '00000000-0000-4000-8000-000000000000' };

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'legacy-watch-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** Writes a legacy database of the contract accounts at `path`, with Ada's id set to `adaId`. */
function writeLegacyFile(path: string, adaId: string): void {
  const db = new Database(path);
  db.exec(createTableSql(TABLE, { id: 'INTEGER', text: 'TEXT' }));
  const insert = db.prepare(`INSERT INTO ${TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const account of CONTRACT_ACCOUNTS) insert.run(...rowValues(account.username === 'ada' ? { ...account, id: adaId } : account));
  db.close();
}

/** A store over a fresh file, timed by a clock the test moves; closed afterwards. */
async function withWatchedStore(name: string, use: (store: LegacyStore, path: string, tick: () => void) => Promise<void>): Promise<void> {
  const path = join(dir, `${name}.db`);
  writeLegacyFile(path, '1');
  let nowInMs = 1_000_000;
  const store = await openSqlLegacyStore({ url: `sqlite://${path}`, query: contractQuery(TABLE), fileCheckIntervalInMs: CHECK_INTERVAL_IN_MS, now: () => nowInMs });
  try {
    await use(store, path, () => {
      nowInMs += CHECK_INTERVAL_IN_MS;
    });
  } finally {
    await store.close();
  }
}

const unavailableNaming = (path: string, why: RegExp) => (error: unknown) => {
  assert.equal((error as { code?: string }).code, LegacyStoreErrorCode.UNAVAILABLE, inspect(error));
  const publicMessage = (error as { publicMessage: string }).publicMessage;
  assert.ok(publicMessage.includes(path), `names the file: ${publicMessage}`);
  assert.match(publicMessage, why);
  return true;
};

test('a file renamed over the store is opened at the next check; until then the store answers from the one it has', () =>
  withWatchedStore('renamed', async (store, path, tick) => {
    assert.equal((await store.findAccount(ada))?.id, '1');
    const replacement = join(dir, 'renamed.next.db');
    writeLegacyFile(replacement, '1001');
    renameSync(replacement, path);
    assert.equal((await store.findAccount(ada))?.id, '1', 'no check before the interval has passed');
    tick();
    assert.equal((await store.findAccount(ada))?.id, '1001', 'the replacement answers');
    await store.ping();
  }));

test('a deleted file → LEGACY_STORE_UNAVAILABLE naming it, for lookups and pings, until a file is back', () =>
  withWatchedStore('deleted', async (store, path, tick) => {
    assert.equal((await store.findAccount(ada))?.id, '1');
    const backup = join(dir, 'deleted.backup.db');
    copyFileSync(path, backup);
    unlinkSync(path);
    tick();
    await assert.rejects(store.findAccount(ada), unavailableNaming(path, /missing/));
    await assert.rejects(store.ping(), unavailableNaming(path, /missing/));
    renameSync(backup, path);
    tick();
    assert.equal((await store.findAccount(ada))?.id, '1', 'the restored file answers');
  }));

// No read bit for anyone is honoured even when the tests run as root, whom the kernel would still let read.
test('a file made unreadable (chmod 000) → LEGACY_STORE_UNAVAILABLE naming it, until its permission is back', () =>
  withWatchedStore('unreadable', async (store, path, tick) => {
    assert.equal((await store.findAccount(ada))?.id, '1');
    chmodSync(path, 0o000);
    tick();
    await assert.rejects(store.findAccount(ada), unavailableNaming(path, /cannot be read/));
    chmodSync(path, 0o644);
    tick();
    assert.equal((await store.findAccount(ada))?.id, '1');
  }));

test('a replacement without the lookup table → LEGACY_QUERY_INVALID: the replaced file is never consulted again', () =>
  withWatchedStore('broken', async (store, path, tick) => {
    assert.equal((await store.findAccount(ada))?.id, '1');
    const replacement = join(dir, 'broken.next.db');
    const other = new Database(replacement);
    other.exec('CREATE TABLE something_else (x)');
    other.close();
    renameSync(replacement, path);
    tick();
    await assert.rejects(store.findAccount(ada), (error: { code?: string }) => error.code === LegacyStoreErrorCode.QUERY_INVALID);
  }));

test('fileCheckIntervalInMs out of range → LEGACY_STORE_OPTIONS_INVALID', async () => {
  for (const fileCheckIntervalInMs of [-1, 1.5, 3_600_000]) {
    await assert.rejects(
      openSqlLegacyStore({ url: `sqlite://${join(dir, 'any.db')}`, query: contractQuery(TABLE), fileCheckIntervalInMs }),
      (error: { code?: string }) => error.code === LegacyStoreErrorCode.OPTIONS_INVALID,
    );
  }
});
