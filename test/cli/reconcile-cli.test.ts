import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { startService } from '../legacy/web-service/service.js';
import { runCli } from '../support/cli.js';
import { premigrateEnvironment } from './premigrate-setup.js';

const CLIENT_ID = '31111111-2222-4333-8444-555555555555';
const SECRET = 'reconcile-cli-secret';
const RUN_CLI = fileURLToPath(new URL('../support/run-cli.ts', import.meta.url));
const MARK_QUERY = 'UPDATE users SET migrated_at = :migratedAt, marks = marks + 1 WHERE id = :legacyId';

describe('entra-migrate reconcile (command line)', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let env: Record<string, string>;
  const objectIdOf = (id: string) => emulator.directory.findUserBySignInName(`${id}@legacy.example`)!.id;
  const answer = async (id: string, correlationId: string, minutesAgo: number) => {
    const ledger = await openLedger(env.LEDGER_DATABASE_URL!);
    await ledger.recordDecision({ at: new Date(Date.now() - minutesAgo * 60_000), correlationId, objectId: objectIdOf(id), legacyId: id, action: 'MigratePassword', reason: 'password-correct', latencyInMs: 30 });
    await ledger.close();
  };
  const marks = () => new Database(join(dir, 'legacy.db'), { readonly: true }).prepare('SELECT id, marks FROM users WHERE marks > 0 ORDER BY id').all();

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'reconcile-cli-'));
    const legacy = new Database(join(dir, 'legacy.db'));
    legacy.exec('CREATE TABLE users (id TEXT PRIMARY KEY, migrated_at TEXT, marks INTEGER NOT NULL DEFAULT 0)');
    for (const id of ['r1', 'r2', 'r3']) legacy.prepare('INSERT INTO users (id) VALUES (?)').run(id);
    legacy.close();
    env = {
      ...premigrateEnvironment(emulator, { clientId: CLIENT_ID, clientSecret: SECRET, ledgerPath: join(dir, 'ledger.db') }),
      LEGACY_DATABASE_URL: `sqlite://${join(dir, 'legacy.db')}`,
      LEGACY_MARK_MIGRATED_QUERY: MARK_QUERY,
    };
    const file = join(dir, 'users.jsonl');
    await writeFile(file, ['r1', 'r2', 'r3'].map((id) => JSON.stringify({ id, email: `${id}@legacy.example` })).join('\n'));
    const seeded = await runCli(['premigrate', '--from', file], { env, timeoutInMs: 60_000 });
    assert.equal(seeded.code, 0, seeded.stderr);
  });
  after(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('--json: counts per state, the not-applied accounts with correlation ids, mark failures; exit 1, then 0 once applied', async () => {
    await answer('r1', 'corr-r1', 2);
    emulator.directory.setExtensionAttribute(objectIdOf('r1'), env.MIGRATION_FLAG_ATTRIBUTE!, false);
    await answer('r2', 'corr-r2', 40);
    const first = await runCli(['reconcile', '--json'], { env, timeoutInMs: 60_000 });
    assert.equal(first.code, 1, first.stderr);
    const summary = JSON.parse(first.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(summary).sort(), ['deletedInEntra', 'elapsedInMs', 'flagClearedElsewhere', 'flagMissing', 'graphRequests', 'interrupted', 'markFailures', 'marked', 'notApplied', 'read', 'runId', 'states', 'throttled', 'totals', 'unanswered']);
    assert.equal(summary.graphRequests, 3, 'one GET per account');
    const ledger = await openLedger(env.LEDGER_DATABASE_URL!);
    const runs = await ledger.listBulkRuns().finally(() => ledger.close());
    const run = runs.find((candidate) => candidate.id === summary.runId);
    assert.deepEqual(
      [run?.command, run?.outcome, run?.graphRequests, run?.budgetPerSecond, run?.counts],
      ['reconcile', 'completed', 3, 300, { read: 3, marked: 1, markFailures: 0, deletedInEntra: 0, flagMissing: 0, flagClearedElsewhere: 0, unanswered: 0, migratedByExtension: 1, migratedByReset: 0, pending: 1, notApplied: 1, releasedByCutover: 0 }],
    );
    assert.deepEqual(summary.states, { 'migrated-by-extension': 1, 'migrated-by-reset': 0, pending: 1, 'not-applied': 1, 'released-by-cutover': 0 });
    assert.deepEqual(summary.notApplied, [{ legacyId: 'r2', objectId: objectIdOf('r2'), correlationIds: ['corr-r2'] }]);
    assert.deepEqual(summary.markFailures, []);
    assert.equal(summary.marked, 1);
    assert.deepEqual(marks(), [{ id: 'r1', marks: 1 }]);

    // A longer grace: r2's answer is 40 minutes old, within 60: pending, all is well.
    const table = await runCli(['reconcile', '--grace', '60'], { env, timeoutInMs: 60_000 });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^2 accounts read from Graph in /m);
    assert.match(table.stdout, /^migrated-by-extension\s+0\s+1$/m);
    assert.match(table.stdout, /^pending\s+2\s+2$/m);
    assert.match(table.stdout, /^0 legacy accounts marked migrated, 0 marks failed/m);
    assert.deepEqual(marks(), [{ id: 'r1', marks: 1 }]);
  });

  test('a failed mark exits 1 and lists it; the next run marks it', async () => {
    emulator.directory.setExtensionAttribute(objectIdOf('r2'), env.MIGRATION_FLAG_ATTRIBUTE!, false);
    const failing = await runCli(['reconcile', '--json'], { env: { ...env, LEGACY_MARK_MIGRATED_QUERY: 'UPDATE no_such_table SET m = 1 WHERE id = :legacyId' }, timeoutInMs: 60_000 });
    assert.equal(failing.code, 1, failing.stderr);
    const summary = JSON.parse(failing.stdout) as { markFailures: Array<{ legacyId: string; error: string }> };
    assert.equal(summary.markFailures[0]!.legacyId, 'r2');
    assert.match(summary.markFailures[0]!.error, /^LEGACY_MARK_MIGRATED_QUERY failed against sqlite:.*no such table/);
    const retried = await runCli(['reconcile'], { env, timeoutInMs: 60_000 });
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, /^1 legacy accounts marked migrated, 0 marks failed/m);
    assert.deepEqual(marks(), [{ id: 'r1', marks: 1 }, { id: 'r2', marks: 1 }]);
  });

  test('invalid settings and options exit 2, naming the setting, before Graph is read', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['reconcile'], { LEGACY_MARK_MIGRATED_QUERY: 'UPDATE users SET marks = 1' }, /LEGACY_MARK_MIGRATED_QUERY must use :legacyId or :objectId/],
      [['reconcile'], { LEGACY_MARK_MIGRATED_QUERY: 'UPDATE users SET migrated_at = :migratedAt' }, /LEGACY_MARK_MIGRATED_QUERY must use :legacyId or :objectId/],
      // Compiled for its database when the mark opens, still before Graph is read.
      [['reconcile'], { LEGACY_MARK_MIGRATED_QUERY: 'UPDATE users SET marks = :marks WHERE id = :legacyId' }, /LEGACY_MARK_MIGRATED_QUERY is not usable: .*:marks/],
      [['reconcile'], { LEGACY_DATABASE_URL: '' }, /LEGACY_DATABASE_URL is required with LEGACY_MARK_MIGRATED_QUERY/],
      [['reconcile'], { LEGACY_MARK_MIGRATED_URL: 'https://legacy.example/migrated' }, /LEGACY_MARK_MIGRATED_URL cannot be set with LEGACY_MARK_MIGRATED_QUERY/],
      [['reconcile'], { LEGACY_MARK_MIGRATED_QUERY: '', LEGACY_MARK_MIGRATED_URL: 'http://legacy.example/migrated' }, /LEGACY_MARK_MIGRATED_URL is http:\/\/ to legacy\.example/],
      [['reconcile'], { LEGACY_MARK_MIGRATED_QUERY: '', LEGACY_MARK_MIGRATED_URL: 'legacy.example/migrated' }, /LEGACY_MARK_MIGRATED_URL is not a URL/],
      // The web service's files are checked when the mark opens, still before Graph is read.
      [['reconcile'], { LEGACY_MARK_MIGRATED_QUERY: '', LEGACY_MARK_MIGRATED_URL: 'https://legacy.example/migrated', LEGACY_VERIFY_CA_FILE: RUN_CLI }, /LEGACY_MARK_MIGRATED_URL cannot be used: LEGACY_VERIFY_CA_FILE holds no PEM certificate/],
      [['reconcile'], { MIGRATION_FLAG_ATTRIBUTE: 'toBeMigrated' }, /MIGRATION_FLAG_ATTRIBUTE must look like/],
      [['reconcile', '--grace', '-5'], {}, /--grace/],
      [['reconcile', '--watch', '1s'], {}, /an interval from 10s to 24h/],
    ];
    for (const [args, extra, message] of cases) {
      const run = await runCli(args, { env: { ...env, ...extra }, timeoutInMs: 30_000 });
      assert.equal(run.code, 2, `${args.join(' ')} ${JSON.stringify(extra)}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });

  test('--help names the states, the settings and the exit codes', async () => {
    const help = await runCli(['reconcile', '--help'], { timeoutInMs: 30_000 });
    assert.equal(help.code, 0);
    for (const text of ['migrated-by-extension', 'migrated-by-reset', 'not-applied', 'released-by-cutover', 'LEGACY_MARK_MIGRATED_QUERY', ':migratedAt', 'LEGACY_MARK_MIGRATED_URL', 'Idempotency-Key', '--watch <interval>', 'Exit codes']) assert.ok(help.stdout.includes(text), text);
  });

  test('--watch runs at once, then again, until SIGTERM; it exits with the last run\'s code', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUN_CLI, 'reconcile', '--json', '--watch', '10s'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          if (stdout.includes('\n')) resolve();
        });
        void exited.then(() => reject(new Error(`exited before its first run: ${stderr}`)));
      });
      assert.deepEqual((JSON.parse(stdout.split('\n')[0]!) as { states: { pending: number } }).states.pending, 1); // r3, never signed in
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /stopping/);
  });

  test('LEGACY_MARK_MIGRATED_URL: the confirmed account is POSTed to the legacy service and counted marked', async () => {
    const service = await startService();
    service.answer = (_request, response) => void response.writeHead(204).end();
    try {
      await answer('r3', 'corr-r3', 2);
      emulator.directory.setExtensionAttribute(objectIdOf('r3'), env.MIGRATION_FLAG_ATTRIBUTE!, false);
      const run = await runCli(['reconcile', '--json'], { env: { ...env, LEGACY_MARK_MIGRATED_QUERY: '', LEGACY_MARK_MIGRATED_URL: `${service.origin}/migrated`, LEGACY_VERIFY_AUTH: 'bearer:cli-mark-token' }, timeoutInMs: 60_000 });
      assert.equal(run.code, 0, run.stderr);
      assert.equal((JSON.parse(run.stdout) as { marked: number }).marked, 1);
      assert.deepEqual(service.requests.map((request) => [request.method, request.url, request.headers.authorization, (JSON.parse(request.body) as { legacyId: string }).legacyId]), [['POST', '/migrated', 'Bearer cli-mark-token', 'r3']]);
      assert.deepEqual(marks(), [{ id: 'r1', marks: 1 }, { id: 'r2', marks: 1 }], 'the SQL store was not touched');
    } finally {
      await service.close();
    }
  });
});
