import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { openLedger, type DecisionRecord } from '../../src/ledger/index.js';

// The SQLite ledger is an audit trail of who signed in when: private to the service's user, like its key.

const record: DecisionRecord = {
  at: new Date('2026-11-24T12:00:00.000Z'),
  correlationId: 'c0000000-0000-4000-8000-000000000001',
  objectId: 'o0000000-0000-4000-8000-000000000001',
  legacyId: '42',
  action: 'MigratePassword',
  reason: 'password-correct',
  latencyInMs: 12,
};

const modeOf = (path: string) => `0${(statSync(path).mode & 0o777).toString(8)}`;

let root = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ledger-modes-'));
  chmodSync(root, 0o755);
});
after(() => rm(root, { recursive: true, force: true }));

test('a new ledger: the directories it creates are 0700, the database and its -wal and -shm files 0600', async () => {
  const path = join(root, 'new', 'data', 'ledger.db');
  const ledger = await openLedger(`sqlite://${path}`);
  try {
    await ledger.recordDecision(record);
    assert.equal(modeOf(join(root, 'new')), '0700');
    assert.equal(modeOf(join(root, 'new', 'data')), '0700');
    for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(modeOf(file), '0600', file);
  } finally {
    await ledger.close();
  }
});

test('an existing ledger readable by others is tightened to 0600, its -wal and -shm files too', async () => {
  const dir = join(root, 'existing');
  mkdirSync(dir);
  const path = join(dir, 'ledger.db');
  const before = new Database(path);
  before.pragma('journal_mode = WAL');
  before.exec('CREATE TABLE keep_me (x)');
  before.close();
  writeFileSync(`${path}-wal`, '');
  for (const file of [path, `${path}-wal`]) chmodSync(file, 0o644);

  const ledger = await openLedger(`sqlite://${path}`);
  try {
    await ledger.recordDecision(record);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(modeOf(file), '0600', file);
  } finally {
    await ledger.close();
  }
});

test('an existing directory keeps its mode: it may be shared (the working directory, ./data), and the file is private', async () => {
  const path = join(root, 'ledger.db');
  const ledger = await openLedger(`sqlite://${path}`);
  await ledger.close();
  assert.equal(modeOf(root), '0755');
  assert.equal(modeOf(path), '0600');
});
