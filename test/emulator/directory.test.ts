import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openDirectory } from '../../src/emulator/index.js';

test('emulator directory: passwords verify at the cost their salt records, and older files (N = 4096) still verify', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'directory-'));
  const path = join(dir, 'directory.db');
  try {
    const directory = openDirectory(path, { domain: 'contoso.onmicrosoft.com' });
    const identities = (name: string) => [{ signInType: 'emailAddress', issuer: 'contoso.onmicrosoft.com', issuerAssignedId: name }];
    const now = await directory.createUser({ displayName: 'Now', identities: identities('now@contoso.example'), password: 'Current-Cost-Pass-1!' });
    const old = await directory.createUser({ displayName: 'Old', identities: identities('old@contoso.example'), password: 'placeholder-Pass-1!' });
    directory.close();

    // Rewrite one row as an earlier version stored it: a 16-byte salt and scrypt N = 4096.
    const db = new Database(path);
    const salt = randomBytes(16);
    db.prepare('UPDATE users SET password_salt = ?, password_key = ? WHERE id = ?').run(salt, scryptSync('Old-Format-Pass-1!', salt, 32, { N: 4096, r: 8, p: 1 }), old.id);
    assert.equal((db.prepare('SELECT password_salt FROM users WHERE id = ?').get(now.id) as { password_salt: Buffer }).password_salt[0], 10, 'log2(N) leads the salt');
    db.close();

    const reopened = openDirectory(path, { domain: 'contoso.onmicrosoft.com' });
    assert.equal(await reopened.checkPassword(now.id, 'Current-Cost-Pass-1!'), true);
    assert.equal(await reopened.checkPassword(now.id, 'Current-Cost-Pass-2!'), false);
    assert.equal(await reopened.checkPassword(old.id, 'Old-Format-Pass-1!'), true);
    assert.equal(await reopened.checkPassword(old.id, 'Old-Format-Pass-2!'), false);
    reopened.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
