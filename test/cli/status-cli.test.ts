import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openLedger } from '../../src/ledger/index.js';
import { runCli } from '../support/cli.js';
import { seedStatusLedger } from '../status/seed-status-ledger.js';

/** The keys of `status --json`, as docs/status.md documents them: scripts rely on them. */
const TOP_KEYS = [
  'generatedAt',
  'lastReconcileAt',
  'accounts',
  'migrated',
  'migratedBy',
  'migratedConfirmed',
  'migratedByExtensionUnconfirmed',
  'needsNewPassword',
  'blocked',
  'triedNotMigrated',
  'neverSignedIn',
  'notApplied',
  'releasedByCutover',
  'answers',
];

describe('entra-migrate status (command line)', () => {
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'status-cli-'));
    env = { LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger.db')}` };
    const ledger = await openLedger(env.LEDGER_DATABASE_URL!);
    await seedStatusLedger(ledger, new Date()); // `status` reads the real clock: the answers' days end today
    await ledger.close();
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('a table: every figure named, confirmed apart from answered, the days', async () => {
    const result = await runCli(['status', '--days', '5'], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /reconcile last read Graph at 2026-11-30T08:00:00\.000Z/);
    assert.match(result.stdout, /^accounts pre-created +12 /m);
    assert.match(result.stdout, /^migrated +5 +2 confirmed by reconcile$/m);
    assert.match(result.stdout, /^ {2}by the extension +2 +1 answered MigratePassword, not yet confirmed$/m);
    assert.match(result.stdout, /^never signed in \(stragglers\) +4 /m);
    assert.match(result.stdout, /^not applied \(needs attention\) +1 /m);
    const today = new Date().toISOString().slice(0, 10);
    assert.match(result.stdout, new RegExp(`^${today} +5 +2 +0 +0 +1 +2 +70 +2000 +20\\.0%$`, 'm'));
    assert.equal(result.stdout.match(/^\d{4}-\d\d-\d\d /gm)?.length, 5);
  });

  test('--json: the documented keys, and nothing else on stdout', async () => {
    const result = await runCli(['status', '--json', '--days', '2'], { env });
    assert.equal(result.code, 0, result.stderr);
    const figures = JSON.parse(result.stdout) as Record<string, unknown> & { answers: { perDay: unknown[] }; migratedBy: object; accounts: object };
    assert.deepEqual(Object.keys(figures), TOP_KEYS);
    assert.deepEqual(Object.keys(figures.accounts), ['preCreated', 'pendingCreation', 'failed']);
    assert.deepEqual(Object.keys(figures.migratedBy), ['extension', 'reset', 'signUp']);
    assert.deepEqual(Object.keys(figures.answers), ['from', 'to', 'unavailableReasons', 'perDay']);
    assert.deepEqual(Object.keys(figures.answers.perDay[0]!), ['day', 'answers', 'byAction', 'p50LatencyInMs', 'p99LatencyInMs', 'unavailable', 'unavailableShare']);
    assert.equal(figures.answers.perDay.length, 2);
  });

  test('--stragglers writes the CSV (mode 600) and says how many, on stderr', async () => {
    const file = join(dir, 'stragglers.csv');
    const result = await runCli(['status', '--json', '--stragglers', file], { env });
    assert.equal(result.code, 0, result.stderr);
    JSON.parse(result.stdout);
    assert.match(result.stderr, /7 accounts that have not migrated written to .*stragglers\.csv \(4 never signed in, 3 tried without migrating\)/);
    const lines = (await readFile(file, 'utf8')).split('\r\n');
    assert.equal(lines[0], 'legacy_id,email,pre_created_at,last_attempt_at,last_answer');
    assert.equal(lines.length, 9);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  test('--env-file gives LEDGER_DATABASE_URL; the environment wins over it', async () => {
    const envFile = join(dir, 'status.env');
    await writeFile(envFile, `LEDGER_DATABASE_URL=${env.LEDGER_DATABASE_URL}\n`);
    const fromFile = await runCli(['status', '--json', '--env-file', envFile]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal((JSON.parse(fromFile.stdout) as { accounts: { preCreated: number } }).accounts.preCreated, 12);
    const overridden = await runCli(['status', '--env-file', envFile], { env: { LEDGER_DATABASE_URL: `sqlite://${join(dir, 'absent.db')}` } });
    assert.equal(overridden.code, 1);
  });

  test('an empty ledger: zeros, and "reconcile has not run" said plainly', async () => {
    const url = `sqlite://${join(dir, 'empty.db')}`;
    await (await openLedger(url)).close();
    const result = await runCli(['status', '--days', '1'], { env: { LEDGER_DATABASE_URL: url } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /reconcile has not run: nothing below is confirmed through Graph/);
    assert.match(result.stdout, /^accounts pre-created +0/m);
  });

  test('exit 2 for an invalid LEDGER_DATABASE_URL or --days, naming what is wrong', async () => {
    const badUrl = await runCli(['status'], { env: { LEDGER_DATABASE_URL: 'mysql://root@127.0.0.1/test' } });
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /LEDGER_DATABASE_URL .*must start with sqlite:\/\//);
    for (const days of ['0', '401', 'x', '1.5']) {
      const result = await runCli(['status', '--days', days], { env });
      assert.equal(result.code, 2, days);
      assert.match(result.stderr, /--days/);
    }
  });

  test('exit 1 when the ledger cannot be read: a SQLite file that is not there (not created), PostgreSQL unreachable', async () => {
    const absent = join(dir, 'no-such', 'ledger.db');
    const missing = await runCli(['status'], { env: { LEDGER_DATABASE_URL: `sqlite://${absent}` } });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /There is no ledger at .*no-such\/ledger\.db: run premigrate first/);
    await assert.rejects(stat(absent), { code: 'ENOENT' });
    const unreachable = await runCli(['status'], { env: { LEDGER_DATABASE_URL: 'postgres://status:secret-pw@127.0.0.1:9/test' }, timeoutInMs: 30_000 });
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /LEDGER_UNAVAILABLE/);
    assert.doesNotMatch(unreachable.stderr, /secret-pw/);
  });

  test('exit 1 when the CSV cannot be written, the figures printed first', async () => {
    const result = await runCli(['status', '--json', '--stragglers', join(dir, 'no-such-dir', 'out.csv')], { env });
    assert.equal(result.code, 1);
    JSON.parse(result.stdout);
    assert.match(result.stderr, /the stragglers cannot be written to .*out\.csv: .*choose another --stragglers file/);
  });
});
