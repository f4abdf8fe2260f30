import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';
import { runCli } from '../support/cli.js';
import { ldifLine, PEOPLE, SERVICE_DN, skipUnlessSlapd, ssha, startSlapd, type Slapd } from '../support/slapd.js';
import { premigrateEnvironment } from './premigrate-setup.js';

const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
const SECRET = 'ldap-cli-secret';
const NO_MAIL_UUID = '7c1e0a52-93d4-4f0b-a6c1-3e2d9b8f0a17';
const skip = skipUnlessSlapd();

function person(uid: string, lines: string[]): string {
  return [ldifLine('dn', `uid=${uid},${PEOPLE}`), 'objectClass: inetOrgPerson', ldifLine('uid', uid), 'sn: Person', ...lines].join('\n');
}

/** 40 accounts; the 5th has no mail (nor a UPN), the 6th only a UPN, the 7th is a disabled AD account. */
const ACCOUNTS = [
  ...Array.from({ length: 4 }, (_, i) => person(`p${i}`, [`cn: Plain ${i}`, `mail: p${i}@legacy.example`])),
  person('hidden', [`entryUUID: ${NO_MAIL_UUID}`, 'cn: Confidential Name', ldifLine('userPassword', ssha(CANARY_PASSWORDS.correct))]),
  person('upn', ['objectClass: testAdAccount', 'cn: Upn Only', 'userPrincipalName: upn.only@legacy.example']),
  person('disabled', ['objectClass: testAdAccount', 'cn: Disabled', 'mail: disabled@legacy.example', 'userAccountControl: 514']),
  person('named', ['cn: n', 'displayName: Grace Hopper', 'givenName: Grace', 'sn: Hopper', 'mail: Grace.Hopper@Legacy.Example', 'employeeNumber: 1906']),
  ...Array.from({ length: 32 }, (_, i) => person(`q${i}`, [`cn: Bulk ${i}`, `mail: q${i}@legacy.example`])),
];

describe('entra-migrate premigrate: a directory as the source (slapd → emulator)', { skip }, () => {
  let slapd: Slapd;
  let emulator: RunningEmulator;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    slapd = await startSlapd({ entries: ACCOUNTS.join('\n\n'), serviceListsAll: true });
    emulator = await startEmulator({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'premigrate-ldap-'));
    env = {
      ...premigrateEnvironment(emulator, { clientId: CLIENT_ID, clientSecret: SECRET, ledgerPath: join(dir, 'ledger.db') }),
      LEGACY_LDAP_URL: slapd.url,
      LEGACY_LDAP_BIND_DN: SERVICE_DN,
      LEGACY_LDAP_BIND_PASSWORD: slapd.servicePassword,
      LEGACY_LDAP_SEARCH_BASE: PEOPLE,
      LEGACY_LDAP_EXPORT_FILTER: '(objectClass=inetOrgPerson)',
    };
  });
  after(async () => {
    await emulator?.close();
    await slapd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('creates every listed account through Graph, flagged; the entry without mail fails by its number; a second run skips them', async () => {
    const failures = join(dir, 'failures.csv');
    const first = await runCli(['premigrate', '--json', '--failures', failures], { env, timeoutInMs: 60_000 });
    assert.equal(first.code, 1, first.stderr);
    const summary = JSON.parse(first.stdout) as { read: number; created: number; rejected: number; failed: number };
    assert.deepEqual([summary.read, summary.created, summary.rejected, summary.failed], [40, 39, 1, 1]);
    assert.equal(await readFile(failures, 'utf8'), `legacy_id,reason,line\n${NO_MAIL_UUID},no email,5\n`);
    // Never by content: not the entry's DN, uid or name.
    assert.doesNotMatch(first.stdout + first.stderr, /hidden|Confidential/);

    assert.equal(emulator.directory.countUsers(), 39);
    const flag = env.MIGRATION_FLAG_ATTRIBUTE!;
    for (const email of ['p0@legacy.example', 'upn.only@legacy.example', 'disabled@legacy.example', 'grace.hopper@legacy.example', 'q31@legacy.example']) {
      const user = emulator.directory.findUserBySignInName(email);
      assert.ok(user, `${email} was created`);
      assert.equal(emulator.directory.getExtensionAttributes(user.id)[flag], true, `${email} is flagged`);
    }
    const grace = emulator.directory.findUserBySignInName('grace.hopper@legacy.example')!;
    assert.equal(grace.displayName, 'Grace Hopper');
    assert.equal(emulator.directory.findUserBySignInName('p1@legacy.example')!.displayName, 'Plain 1', 'cn when there is no displayName');

    const second = await runCli(['premigrate'], { env, timeoutInMs: 60_000 });
    assert.equal(second.code, 1);
    assert.match(second.stdout, /^40 read: 0 created, 0 already in Entra, 39 done earlier, 1 failed \(1 invalid, 0 duplicate, 0 in Graph\)$/m);
    assert.match(second.stdout, new RegExp(`^ {2}entry 5, id ${NO_MAIL_UUID}: no email$`, 'm'));
  });

  test('--field and --attribute read other directory attributes; a password attribute or a name LDAP cannot hold is refused', async () => {
    const dry = await runCli(['premigrate', '--dry-run', '--field', 'id=uid', '--json'], { env: { ...env, LEGACY_LDAP_EXPORT_FILTER: '(uid=named)' }, timeoutInMs: 60_000 });
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(JSON.parse(dry.stdout).existing, 1, 'found in Entra by its e-mail');
    const refused = await runCli(['premigrate', '--field', 'password=userPassword', '--field', 'surname=last name'], { env });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^entra-migrate premigrate: --field password cannot be read from a directory/m);
    assert.match(refused.stderr, /^entra-migrate premigrate: --field last name is not an LDAP attribute name/m);
    const hash = await runCli(['premigrate', '--attribute', `userPassword=extension_${'0'.repeat(32)}_hash`], { env });
    assert.equal(hash.code, 2);
    assert.match(hash.stderr, /--attribute userPassword is a password attribute; premigrate never reads password hashes/);
  });

  test('a wrong service password stops the run before anything is created, naming the settings, with the exit code of a SQL source that fails', async () => {
    const before = emulator.directory.countUsers();
    const wrong = await runCli(['premigrate'], { env: { ...env, LEGACY_LDAP_BIND_PASSWORD: CANARY_PASSWORDS.wrong }, timeoutInMs: 60_000 });
    assert.match(
      wrong.stderr,
      /^entra-migrate premigrate: The directory at 127\.0\.0\.1:\d+ refused the service account's bind; check LEGACY_LDAP_BIND_DN and LEGACY_LDAP_BIND_PASSWORD\. \[LEGACY_STORE_MISCONFIGURED\]$/m,
    );
    assert.doesNotMatch(wrong.stdout + wrong.stderr, /Canary/);
    assert.equal(emulator.directory.countUsers(), before);
    const { LEGACY_LDAP_EXPORT_FILTER: _filter, ...withoutDirectory } = env;
    const sql = await runCli(['premigrate'], {
      env: { ...withoutDirectory, LEGACY_DATABASE_URL: 'postgres://migrate:pw@127.0.0.1:1/legacy', LEGACY_EXPORT_QUERY: 'SELECT id, email FROM users' },
      timeoutInMs: 60_000,
    });
    assert.match(sql.stderr, /LEGACY_STORE/);
    assert.equal(wrong.code, sql.code);
    assert.equal(wrong.code, 1);
  });

  test('settings: both exports set, a filter with {username}, no source at all: exit 2 with one line each, nothing contacted', async () => {
    const both = await runCli(['premigrate'], { env: { ...env, LEGACY_DATABASE_URL: 'sqlite://legacy.db', LEGACY_EXPORT_QUERY: 'SELECT id, email FROM users' } });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^entra-migrate premigrate: LEGACY_LDAP_EXPORT_FILTER and LEGACY_EXPORT_QUERY are both set; premigrate reads one source/m);
    const withName = await runCli(['premigrate'], { env: { ...env, LEGACY_LDAP_EXPORT_FILTER: '(uid={username})' } });
    assert.equal(withName.code, 2);
    assert.match(withName.stderr, /^entra-migrate premigrate: LEGACY_LDAP_EXPORT_FILTER selects every account to create, so it takes no \{username\}/m);
    const { LEGACY_LDAP_EXPORT_FILTER: _filter, ...withoutFilter } = env;
    const none = await runCli(['premigrate'], { env: withoutFilter });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^entra-migrate premigrate: --from is required unless LEGACY_DATABASE_URL and LEGACY_EXPORT_QUERY, or LEGACY_LDAP_URL and LEGACY_LDAP_EXPORT_FILTER, are set/m);
    // A file wins over the directory, as over the SQL export.
    const file = join(dir, 'one.jsonl');
    await writeFile(file, '{"id": "file-1", "email": "from.file@legacy.example"}\n');
    const fromFile = await runCli(['premigrate', '--from', file, '--json'], { env, timeoutInMs: 60_000 });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.deepEqual([JSON.parse(fromFile.stdout).read, JSON.parse(fromFile.stdout).created], [1, 1]);
    const help = await runCli(['premigrate', '--help']);
    assert.match(help.stdout, /LEGACY_LDAP_EXPORT_FILTER/);
  });
});
