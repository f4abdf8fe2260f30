import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from '../support/cli.js';
import { premigrateEnvironment } from './premigrate-setup.js';

const APP_A = '11111111-2222-4333-8444-555555555555';
const APP_B = '66666666-7777-4888-9999-aaaaaaaaaaaa';
const SECRET_A = 'app-a-secret-value';
const SECRET_B = 'app-b-secret-value';

describe('entra-migrate premigrate: SQL source, several app registrations, quota', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    emulator = await startEmulator({ port: 0, graph: { directoryQuota: 100 } });
    emulator.registerClientApp(APP_B, SECRET_B);
    dir = await mkdtemp(join(tmpdir(), 'premigrate-sources-'));
    const db = new Database(join(dir, 'legacy.db'));
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, display_name TEXT, deleted INTEGER)');
    const insert = db.prepare('INSERT INTO users VALUES (?, ?, ?, ?)');
    for (let id = 1; id <= 45; id++) insert.run(id, `sql${id}@legacy.example`, `SQL ${id}`, id % 10 === 0 ? 1 : 0);
    db.close();
    env = {
      ...premigrateEnvironment(emulator, { clientId: APP_A, clientSecret: SECRET_A, ledgerPath: join(dir, 'ledger.db') }),
      LEGACY_DATABASE_URL: `sqlite://${join(dir, 'legacy.db')}`,
      LEGACY_EXPORT_QUERY: 'SELECT id, email, display_name FROM users WHERE deleted = 0',
    };
  });
  after(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a dry run over the SQL export checks the directory quota; over it, exit 1 with the shortfall', async () => {
    const fits = await runCli(['premigrate', '--dry-run'], { env, timeoutInMs: 60_000 });
    assert.equal(fits.code, 0, fits.stderr);
    assert.match(fits.stdout, /^dry run: 41 read: 41 would be created, 0 already in Entra, 0 would fail \(0 invalid, 0 duplicate\)$/m);
    assert.match(fits.stdout, /^directory quota: 0 of 100 objects used; 41 new accounts would be created; they fit \(59 objects left after\)$/m);
    const small = await startEmulator({ port: 0, graph: { directoryQuota: 30 } });
    try {
      const smallEnv = { ...env, ...premigrateEnvironment(small, { clientId: APP_A, clientSecret: SECRET_A, ledgerPath: join(dir, 'ledger.db') }) };
      const over = await runCli(['premigrate', '--dry-run'], { env: smallEnv, timeoutInMs: 60_000 });
      assert.equal(over.code, 1);
      assert.match(over.stdout, /^directory quota: 0 of 30 objects used; 41 new accounts would be created; they do NOT fit \(11 over\): ask Microsoft to raise the quota first$/m);
    } finally {
      await small.close();
    }
    assert.equal(emulator.directory.countUsers(), 0);
  });

  test('creates the SQL export through two app registrations; a credentials file others can read is refused', async () => {
    const credentials = join(dir, 'credentials.json');
    await writeFile(credentials, JSON.stringify([{ clientId: APP_A, clientSecret: SECRET_A }, { clientId: APP_B, clientSecret: SECRET_B }]));
    await chmod(credentials, 0o644);
    const open = await runCli(['premigrate', '--credentials', credentials], { env, timeoutInMs: 60_000 });
    assert.equal(open.code, 2);
    assert.match(open.stderr, /--credentials .*others may read it; chmod 600/);
    await chmod(credentials, 0o600);
    // --credentials replaces the AZURE_CLIENT_* settings: none is needed in the environment.
    const { AZURE_CLIENT_ID: _id, AZURE_CLIENT_SECRET: _secret, ...withoutClient } = env;
    const run = await runCli(['premigrate', '--credentials', credentials, '--json'], { env: withoutClient, timeoutInMs: 60_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).created, 41);
    assert.doesNotMatch(run.stderr, /above the tenant/, '2 × 18/s is within the tenant limit');
    assert.equal(emulator.directory.countUsers(), 41);
    assert.doesNotMatch(run.stdout + run.stderr, /secret-value/);
  });

  test('every app registration in the file is used: a wrong secret in the second one fails the run', async () => {
    const credentials = join(dir, 'credentials-bad.json');
    await writeFile(credentials, JSON.stringify([{ clientId: APP_A, clientSecret: SECRET_A }, { clientId: APP_B, clientSecret: 'wrong-secret-value' }]), { mode: 0o600 });
    const file = join(dir, 'more.jsonl');
    await writeFile(file, Array.from({ length: 40 }, (_, i) => JSON.stringify({ id: `two-${i}`, email: `two${i}@legacy.example` })).join('\n'));
    const run = await runCli(['premigrate', '--from', file, '--credentials', credentials], { env, timeoutInMs: 60_000 });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /refused client 66666666-7777-4888-9999-aaaaaaaaaaaa/);
    const tooFast = await runCli(['premigrate', '--from', file, '--credentials', credentials, '--rate', '40', '--dry-run'], { env, timeoutInMs: 60_000 });
    assert.match(tooFast.stderr, /2 app registrations × 40 writes\/s = 80\/s is above the tenant's ~60\/s.*Lower --rate to 30/);
    assert.doesNotMatch(run.stderr, /wrong-secret-value/);
  });

  test('--field reads record fields from other column names, in files and in the SQL export (paged on the mapped id)', async () => {
    const csv = join(dir, 'renamed.csv');
    await writeFile(csv, 'UserID,EmailAddress,Name\nr1,renamed1@legacy.example,Renamed One\nr2,renamed2@legacy.example,Renamed Two\n');
    const fromFile = await runCli(['premigrate', '--from', csv, '--field', 'id=UserID', '--field', 'email=EmailAddress', '--field', 'display_name=Name', '--json'], { env, timeoutInMs: 60_000 });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(JSON.parse(fromFile.stdout).created, 2);
    assert.equal(emulator.directory.findUserBySignInName('renamed2@legacy.example')?.displayName, 'Renamed Two');

    const db = new Database(join(dir, 'legacy.db'));
    db.exec('CREATE TABLE people (person_no INTEGER PRIMARY KEY, mail TEXT)');
    const insert = db.prepare('INSERT INTO people VALUES (?, ?)');
    for (let n = 1001; n <= 1025; n++) insert.run(n, `person${n}@legacy.example`); // ids unused by the tests above
    db.close();
    const fromSql = await runCli(['premigrate', '--field', 'id=person_no', '--field', 'email=mail', '--json'], { env: { ...env, LEGACY_EXPORT_QUERY: 'SELECT person_no, mail FROM people' }, timeoutInMs: 60_000 });
    assert.equal(fromSql.code, 0, fromSql.stderr);
    assert.equal(JSON.parse(fromSql.stdout).created, 25);

    for (const bad of ['mail=x', 'email', 'email=']) assert.equal((await runCli(['premigrate', '--from', csv, '--field', bad], { env })).code, 2, bad);
  });

  test('malformed credentials files name the entry and field, never the secret', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['not-json', '{', /is not valid JSON/],
      ['empty', [], /one or more/],
      ['bad-id', [{ clientId: 'nope', clientSecret: 'hidden-value-1' }], /entry 1 clientId: must be a GUID/],
      ['both', [{ clientId: APP_A, clientSecret: 'hidden-value-2', certificatePath: '/x.pem' }], /entry 1: give a clientSecret or a certificatePath, not both/],
      ['neither', [{ clientId: APP_A }], /entry 1: needs a clientSecret or a certificatePath/],
      ['unknown-field', [{ clientId: APP_A, clientSecret: 'hidden-value-3', tenant: 'x' }], /entry 1: Unrecognized key/],
      ['twice', [{ clientId: APP_A, clientSecret: 'hidden-value-4' }, { clientId: APP_A, clientSecret: 'hidden-value-5' }], /listed twice/],
      ['too-many', Array.from({ length: 11 }, () => ({ clientId: APP_A, clientSecret: 'hidden-value-6' })), /at most 10/],
    ];
    for (const [name, content, message] of cases) {
      const path = join(dir, `${name}.json`);
      await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content), { mode: 0o600 });
      const run = await runCli(['premigrate', '--from', path, '--credentials', path], { env });
      assert.equal(run.code, 2, name);
      assert.match(run.stderr, message, name);
      assert.doesNotMatch(run.stderr, /hidden-value/, name);
    }
    const missing = await runCli(['premigrate', '--credentials', join(dir, 'absent.json')], { env });
    assert.match(missing.stderr, /--credentials .*absent\.json: no such file/);
  });

  test('without --from and without LEGACY_EXPORT_QUERY, the command says what to give', async () => {
    const { LEGACY_EXPORT_QUERY: _query, ...withoutQuery } = env;
    const run = await runCli(['premigrate'], { env: withoutQuery });
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'entra-migrate premigrate: --from is required unless LEGACY_DATABASE_URL and LEGACY_EXPORT_QUERY, or LEGACY_LDAP_URL and LEGACY_LDAP_EXPORT_FILTER, are set: a .jsonl or .csv file of legacy accounts\n' +
        'entra-migrate premigrate: nothing was started; see `entra-migrate premigrate --help`.\n',
    );
    const queryWithoutStore = await runCli(['premigrate'], { env: { ...withoutQuery, LEGACY_DATABASE_URL: '', LEGACY_EXPORT_QUERY: 'SELECT id FROM users' } });
    assert.match(queryWithoutStore.stderr, /LEGACY_DATABASE_URL is required with LEGACY_EXPORT_QUERY/);
  });
});
