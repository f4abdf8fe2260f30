import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { parseDotenv } from '../../../src/config/index.js';
import { LEGACY_EXPORT_QUERY, LEGACY_USER_QUERY } from '../../../src/legacy/import/index.js';
import { runCli } from '../../support/cli.js';
import { fixture, temporaryDirectory } from './support.js';

let dir: Awaited<ReturnType<typeof temporaryDirectory>>;
const file = (name: string) => join(dir.path, name);
const importArgs = (...args: string[]) => ['legacy', 'import', ...args];

before(async () => {
  dir = await temporaryDirectory('cli');
});
after(() => dir?.remove());

/** The ids in legacy_users, or null when there is no such table. */
function idsIn(path: string): string[] | null {
  if (!existsSync(path)) return null;
  const db = new Database(path, { readonly: true });
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'legacy_users'").get();
    return exists ? db.prepare<[], { id: string }>('SELECT id FROM legacy_users ORDER BY id').all().map((row) => String(row.id)) : null;
  } finally {
    db.close();
  }
}

describe('legacy import on the command line', () => {
  test('exit 0 when every record is imported; the settings on standard output, the summary on standard error', async () => {
    const out = `sqlite://${file('split.db')}`;
    const run = await runCli(importArgs('--format', 'keycloak', '--from', fixture('keycloak-split'), '--out', out));
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /8 records read: 8 imported, 0 unusable; legacy_users in .*split\.db replaced in \d+\.\d s/);
    assert.match(run.stderr, /1 imported account without an e-mail: serve finds them by username; LEGACY_EXPORT_QUERY \(premigrate\) leaves them out/);
    const parsed = parseDotenv(run.stdout);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(
      parsed.entries.map((entry) => [entry.key, entry.value]),
      [
        ['LEGACY_DATABASE_URL', out],
        ['LEGACY_USER_QUERY', LEGACY_USER_QUERY],
        ['LEGACY_EXPORT_QUERY', LEGACY_EXPORT_QUERY],
      ],
    );
  });

  test('exit 1 when some records are unusable: listed by line and counted by reason, and no hash, address or id of the file in the output', async () => {
    const run = await runCli(importArgs('--format', 'auth0', '--from', fixture('auth0-users.ndjson'), '--out', `sqlite://${file('auth0.db')}`));
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /11 records read: 5 imported, 6 unusable/);
    assert.match(run.stderr, /1 × not valid JSON/);
    assert.match(run.stderr, /line 9: e-mail holds a control character/);
    const output = run.stdout + run.stderr;
    for (const line of readFileSync(fixture('auth0-users.ndjson'), 'utf8').split('\n')) {
      for (const value of line.match(/"(?:passwordHash|email|value|user_id|\$oid)":"[^"]+"/g) ?? []) {
        const content = JSON.parse(`{${value}}`) as Record<string, string>;
        const text = Object.values(content)[0]!;
        assert.ok(!output.includes(text), `the output holds ${value.split(':')[0]}`);
      }
    }
  });

  test('exit 2, nothing touched: a missing file, an unknown format, a bad --out, --field on auth0, a broken file', async () => {
    const path = file('kept.db');
    assert.equal((await runCli(importArgs('--format', 'auth0', '--from', fixture('auth0-users.ndjson'), '--out', `sqlite://${path}`))).code, 1);
    const kept = idsIn(path);
    assert.equal(kept?.length, 5);
    await writeFile(file('broken.json'), '{"users": [{"localId": "a"},');
    await writeFile(file('not-a-db.db'), 'this is not SQLite, it only has the name '.repeat(100));
    const runs: Array<[string[], RegExp]> = [
      [importArgs('--format', 'auth0', '--from', file('nothing.ndjson'), '--out', `sqlite://${path}`), /--from .*nothing\.ndjson: no such file/],
      [importArgs('--format', 'okta', '--from', fixture('auth0-users.ndjson'), '--out', `sqlite://${path}`), /argument 'okta' is invalid\. Allowed choices are auth0, firebase, keycloak, csv/],
      [importArgs('--format', 'auth0', '--from', fixture('auth0-users.ndjson')), /required option '--out <sqlite-url>' not specified/],
      [importArgs('--format', 'auth0', '--from', fixture('auth0-users.ndjson'), '--out', 'postgres://db/legacy'), /--out postgres:\/\/db\/legacy: expected a SQLite URL/],
      [importArgs('--format', 'auth0', '--from', fixture('auth0-users.ndjson'), '--out', 'sqlite::memory:'), /would be lost when the command ends/],
      [importArgs('--format', 'auth0', '--from', fixture('auth0-users.ndjson'), '--out', `sqlite://${file('not-a-db.db')}`), /not-a-db\.db: is not a SQLite database; legacy_users was left as it was/],
      [importArgs('--format', 'auth0', '--from', fixture('auth0-users.ndjson'), '--field', 'email=mail', '--out', `sqlite://${path}`), /--field does not apply to --format auth0/],
      [importArgs('--format', 'csv', '--from', fixture('generic-users.csv'), '--field', 'nickname=x', '--out', `sqlite://${path}`), /option '--field <column=source>' argument 'nickname=x' is invalid/],
      [importArgs('--format', 'firebase', '--hash-config', fixture('firebase-hash-config.txt'), '--from', file('broken.json'), '--out', `sqlite://${path}`), /broken\.json line 1: invalid JSON/],
    ];
    for (const [args, message] of runs) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `${args.join(' ')}\n${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '', 'no settings printed');
    }
    assert.deepEqual(idsIn(path), kept, 'legacy_users as it was');
  });

  test('a legacy_users table it did not create is never dropped', async () => {
    const path = file('theirs.db');
    const db = new Database(path);
    db.exec("CREATE TABLE legacy_users (id INTEGER PRIMARY KEY, login TEXT, pwd TEXT); INSERT INTO legacy_users VALUES (1, 'ada', 'x');");
    db.close();
    const run = await runCli(importArgs('--format', 'auth0', '--from', fixture('auth0-users.ndjson'), '--out', `sqlite://${path}`));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /already holds a legacy_users table that legacy import did not create .*choose another --out file/);
    assert.deepEqual(idsIn(path), ['1']);
  });

  test('--write-env writes a mode-600 dotenv file with quoted values, keeping the lines already there', async () => {
    const env = file('serve.env');
    await writeFile(env, '# mine\nPORT=7071\nLEGACY_DATABASE_URL=postgres://old/legacy\n', { mode: 0o644 });
    const out = `sqlite://${file('firebase.db')}`;
    const run = await runCli(importArgs('--format', 'firebase', '--from', fixture('firebase-users.csv'), '--hash-config', fixture('firebase-hash-config.txt'), '--out', out, '--write-env', env));
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, '', 'the settings go to the file, not the terminal');
    assert.match(run.stderr, /LEGACY_DATABASE_URL, LEGACY_USER_QUERY, LEGACY_EXPORT_QUERY, LEGACY_HASH_SCHEME, LEGACY_HASH_PARAMS written to .*serve\.env \(mode 600\)/);
    assert.equal((await stat(env)).mode & 0o777, 0o600);
    const text = readFileSync(env, 'utf8');
    assert.ok(text.startsWith('# mine\nPORT=7071\n'), text);
    assert.match(text, /^LEGACY_USER_QUERY="SELECT id, password_hash, status, scheme, salt FROM legacy_users WHERE .*"$/m);
    assert.match(text, /^LEGACY_HASH_PARAMS="\{\\"signerKey\\":.*\}"$/m);
    const settings = Object.fromEntries(parseDotenv(text).entries.map((entry) => [entry.key, entry.value]));
    assert.equal(settings.LEGACY_DATABASE_URL, out);
    assert.equal(settings.LEGACY_EXPORT_QUERY, LEGACY_EXPORT_QUERY);
    assert.equal(settings.LEGACY_HASH_SCHEME, 'firebase-scrypt');
    assert.deepEqual(JSON.parse(settings.LEGACY_HASH_PARAMS!), { signerKey: 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==', saltSeparator: 'Bw==', rounds: 8, memCost: 14 });
  });

  test('a --write-env file that cannot be updated exactly stops the run before the table is touched', async () => {
    const env = file('broken.env');
    await writeFile(env, 'LEGACY_USER_QUERY="never closed\n');
    const path = file('untouched.db');
    const run = await runCli(importArgs('--format', 'auth0', '--from', fixture('auth0-users.ndjson'), '--out', `sqlite://${path}`, '--write-env', env));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--write-env .*broken\.env line 1: the value's opening " is never closed/);
    assert.equal(idsIn(path), null, 'the database was not even created');
  });

  test('--help shows an example for each format', async () => {
    const run = await runCli(['legacy', 'import', '--help']);
    assert.equal(run.code, 0);
    for (const format of ['auth0', 'firebase', 'keycloak', 'csv']) assert.match(run.stdout, new RegExp(`legacy import --format ${format} --from`));
    assert.match(run.stdout, /Exit codes: 0 every record imported; 1 .*; 2 /);
  });
});
