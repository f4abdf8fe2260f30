import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { createPasswordVerifier } from '../../src/legacy/hashes/index.js';
import { hashStoreAuthority, openSqlLegacyStore } from '../../src/legacy/index.js';

// A vector of passlib's msdcc2 (test/fixtures/vectors/families/windows.json): salted with the account name "jdoe".
const MSDCC2 = { password: '密码é', hash: 'fd83B4EDC16E64033B951AA40A5056E1', username: 'jdoe' };

test('a lookup row\'s username column salts the formats that need the account name (MS Cache v2), as params.username would', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'username-column-'));
  const db = new Database(join(dir, 'legacy.db'));
  db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT, sam TEXT, nt_cache TEXT)');
  db.prepare('INSERT INTO accounts VALUES (?, ?, ?, ?)').run(1, 'jdoe@contoso.example', MSDCC2.username, MSDCC2.hash);
  db.prepare('INSERT INTO accounts VALUES (?, ?, ?, ?)').run(2, 'other@contoso.example', 'someone-else', MSDCC2.hash);
  db.close();
  const store = await openSqlLegacyStore({ url: `sqlite://${join(dir, 'legacy.db')}`, query: "SELECT id, nt_cache AS password_hash, 'msdcc2' AS scheme, sam AS username FROM accounts WHERE email = :username" });
  const verifier = createPasswordVerifier();
  const authority = hashStoreAuthority(store, verifier);
  const check = (username: string, password: string) => authority.checkPassword({ username, email: username, objectId: '00000000-0000-4000-8000-000000000001', password }, { abortSignal: new AbortController().signal, deadlineAt: Date.now() + 5000 });
  try {
    assert.equal((await check('jdoe@contoso.example', MSDCC2.password)).outcome, 'correct');
    assert.equal((await check('jdoe@contoso.example', `${MSDCC2.password}x`)).outcome, 'wrong');
    assert.equal((await check('other@contoso.example', MSDCC2.password)).outcome, 'wrong', 'the same digest under another account name does not match');
  } finally {
    await store.close();
    await verifier.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
