import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { openSqlLegacyStore } from '../../../src/legacy/index.js';
import { LEGACY_USER_QUERY } from '../../../src/legacy/import/index.js';
import { runCli } from '../../support/cli.js';
import { fixture, runMeasuredCli, temporaryDirectory, writeStreamed } from './support.js';

const BCRYPT = (JSON.parse(readFileSync(fixture('auth0-users.ndjson'), 'utf8').split('\n')[0]!) as { passwordHash: string }).passwordHash;

/** An Auth0-shaped export of `count` distinct accounts, written streamed. */
async function writeAccounts(path: string, count: number, prefix: string): Promise<void> {
  function* lines() {
    for (let i = 0; i < count; i++) yield `{"_id":{"$oid":"${prefix}${i}"},"email":"${prefix}${i}@bulk.example","passwordHash":"${BCRYPT}","connection":"Username-Password-Authentication"}\n`;
  }
  await writeStreamed(path, lines());
}

let dir: Awaited<ReturnType<typeof temporaryDirectory>>;
let path: string;
let url: string;
const reader = () => new Database(path, { readonly: true });
const tables = () => {
  const db = reader();
  try {
    return db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((row) => row.name);
  } finally {
    db.close();
  }
};
const rowCount = () => {
  const db = reader();
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM legacy_users').get()!.n;
  } finally {
    db.close();
  }
};

before(async () => {
  dir = await temporaryDirectory('replace');
  path = join(dir.path, 'legacy.db');
  url = `sqlite://${path}`;
});
after(() => dir?.remove());

describe('a re-run replaces legacy_users as a whole', () => {
  test('a reader on the file sees the old table or the new one, never a part; serve\'s store finds the new accounts without a restart', async () => {
    assert.equal((await runCli(['legacy', 'import', '--format', 'auth0', '--from', fixture('auth0-users.ndjson'), '--out', url])).code, 1);
    assert.equal(rowCount(), 5);
    await writeAccounts(join(dir.path, 'many.ndjson'), 60_000, 'm');
    const store = await openSqlLegacyStore({ url, query: LEGACY_USER_QUERY, fileCheckIntervalInMs: 0 });
    const db = reader();
    try {
      assert.equal((await store.findAccount({ username: 'ada@auth0.example', email: null, objectId: 'x' }))?.id, 'auth0|5dea9f9c82dd7c0e76e4ec93');
      const seen = new Set<number>();
      const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM legacy_users');
      const run = runCli(['legacy', 'import', '--format', 'auth0', '--from', join(dir.path, 'many.ndjson'), '--out', url], { timeoutInMs: 120_000 });
      let done = false;
      void run.then(() => (done = true));
      while (!done) {
        seen.add(count.get()!.n);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      assert.equal((await run).code, 0);
      seen.add(count.get()!.n);
      assert.deepEqual([...seen].sort((a, b) => a - b), [5, 60_000], 'only the old and the new table were ever seen');
      assert.equal(await store.findAccount({ username: 'ada@auth0.example', email: null, objectId: 'x' }), null);
      assert.equal((await store.findAccount({ username: 'M59999@BULK.EXAMPLE', email: null, objectId: 'x' }))?.id, 'auth0|m59999');
    } finally {
      db.close();
      await store.close();
    }
  });

  test('a run killed mid-import leaves the old table intact; the next run clears what it left and replaces the table', async () => {
    const before = rowCount();
    assert.equal(before, 60_000);
    await writeAccounts(join(dir.path, 'killed.ndjson'), 400_000, 'k');
    let killedAt = '';
    const run = await runMeasuredCli(['legacy', 'import', '--format', 'auth0', '--from', join(dir.path, 'killed.ndjson'), '--out', url], {
      timeoutInMs: 120_000,
      onStderr: (text, kill) => {
        if (killedAt === '' && /50,000 records read/.test(text)) {
          killedAt = text;
          kill();
        }
      },
    });
    assert.equal(run.code, null, `killed mid-run, not finished: ${run.stderr}`);
    assert.ok(killedAt !== '');
    assert.ok(tables().includes('legacy_users_import'), 'it was killed while filling its own table');
    assert.equal(rowCount(), before, 'the old table is whole');
    const db = reader();
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      assert.equal(db.prepare('SELECT id FROM legacy_users WHERE lower(email) = lower(?)').pluck().get('m123@bulk.example'), 'auth0|m123');
    } finally {
      db.close();
    }

    const again = await runCli(['legacy', 'import', '--format', 'keycloak', '--from', fixture('keycloak-split'), '--out', url]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(rowCount(), 8);
    assert.deepEqual(tables(), ['legacy_users']);
  });

  test('a file that turns out broken after thousands of good records changes nothing', async () => {
    const records = (function* () {
      yield '{"users": [\n';
      for (let i = 0; i < 20_000; i++) yield `{"localId": "f${i}", "email": "f${i}@bulk.example", "passwordHash": "${'A'.repeat(86)}==", "salt": "c2FsdA=="},\n`;
      yield '{"localId": "last", "email": }\n]}';
    })();
    await writeStreamed(join(dir.path, 'broken.json'), records);
    const run = await runCli(['legacy', 'import', '--format', 'firebase', '--hash-config', fixture('firebase-hash-config.txt'), '--from', join(dir.path, 'broken.json'), '--out', url]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /broken\.json line 20002: invalid JSON \(expected a value\)\./);
    assert.equal(rowCount(), 8);
    assert.deepEqual(tables(), ['legacy_users']);
  });
});
