import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { appCredential, createGraphClient } from '../../src/graph/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { generateDecryptionKey } from '../../src/security/index.js';
import { runSetup } from '../../src/setup/index.js';
import { runCli } from '../support/cli.js';
import { premigrateEnvironment } from './premigrate-setup.js';

const CLIENT_ID = '51111111-2222-4333-8444-555555555555';
const SECRET = 'cutover-cli-secret';
const SIGN_IN_APP = '61111111-2222-4333-8444-555555555555';
const TARGET_URL = 'https://jit.contoso.example/events/password-submit';
const USERS = ['c1', 'c2', 'c3', '=c4'];
const RUN_CLI = fileURLToPath(new URL('../support/run-cli.ts', import.meta.url));

describe('entra-migrate cutover (command line)', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let env: Record<string, string>;
  const objectIdOf = (id: string) => emulator.directory.findUserBySignInName(`${id}@legacy.example`)!.id;
  const flagOf = (id: string) => emulator.directory.getExtensionAttributes(objectIdOf(id))[env.MIGRATION_FLAG_ATTRIBUTE!];
  const answer = async (id: string, correlationId: string, minutesAgo: number) => {
    const ledger = await openLedger(env.LEDGER_DATABASE_URL!);
    await ledger.recordDecision({ at: new Date(Date.now() - minutesAgo * 60_000), correlationId, objectId: objectIdOf(id), legacyId: id, action: 'MigratePassword', reason: 'password-correct', latencyInMs: 30 });
    await ledger.close();
  };
  const cli = (args: string[], extra: Record<string, string> = {}) => runCli(['cutover', '--target-url', TARGET_URL, ...args], { env: { ...env, ...extra }, timeoutInMs: 60_000 });

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'cutover-cli-'));
    env = premigrateEnvironment(emulator, { clientId: CLIENT_ID, clientSecret: SECRET, ledgerPath: join(dir, 'ledger.db') });
    const file = join(dir, 'users.jsonl');
    await writeFile(file, USERS.map((id) => JSON.stringify({ id, email: `${id}@legacy.example` })).join('\n'));
    const seeded = await runCli(['premigrate', '--from', file], { env, timeoutInMs: 60_000 });
    assert.equal(seeded.code, 0, seeded.stderr);
    // The tenant as setup left it: the listener calling TARGET_URL for the sign-in app's flagged users.
    const graph = createGraphClient({ baseUrl: emulator.url, credential: appCredential({ authorityHost: emulator.url, tenantId: emulator.tenant.tenantId, clientId: CLIENT_ID, clientSecret: SECRET }).credential });
    const key = await generateDecryptionKey({ subject: 'CN=cutover test' });
    await runSetup({ graph, dryRun: false, targetUrl: TARGET_URL, certificateDer: key.certificateDer, extensionAppName: 'JIT extension', clientAppIds: [SIGN_IN_APP], flagName: 'toBeMigrated', timeoutInMs: 2000, maximumRetries: 1 });
    assert.equal(emulator.objects.listeners.size, 1);
    // c1 migrated by the extension: answered, flag cleared by Entra.
    await answer('c1', 'corr-c1', 120);
    emulator.directory.setExtensionAttribute(objectIdOf('c1'), env.MIGRATION_FLAG_ATTRIBUTE!, false);
  });
  after(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the dry run prints the stragglers, the plan and the checklist, and changes nothing', async () => {
    const run = await cli([]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^1 MigratePassword answers in the last 24 hours \(--max-daily 10\)$/m);
    assert.match(run.stdout, /^3 stragglers \(flag still true\)$/m);
    assert.match(run.stdout, /^plan \(dry run: nothing was changed; add --apply\):$/m);
    assert.match(run.stdout, /^ {2}would remove listener: \/beta\/identity\/authenticationEventListeners\//m);
    assert.match(run.stdout, /would clear extension_[0-9a-f]{32}_toBeMigrated of 3 stragglers/);
    assert.match(run.stdout, /Decommissioning checklist:/);
    assert.match(run.stdout, new RegExp(`entra-migrate setup --target-url ${TARGET_URL} --remove --remove-extension`));
    assert.equal(emulator.objects.listeners.size, 1);
    for (const id of ['c2', 'c3', '=c4']) assert.equal(flagOf(id), true);
  });

  test('above --max-daily, --apply refuses (exit 1) and changes nothing; the dry run says it would', async () => {
    const refused = await cli(['--apply', '--max-daily', '0']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /refused: the extension answered MigratePassword 1 times in the last 24 hours, more than --max-daily 0.*--force/);
    assert.equal(emulator.objects.listeners.size, 1);
    assert.equal(flagOf('c2'), true);
    const dry = await cli(['--max-daily', '0']);
    assert.equal(dry.code, 1);
    assert.match(dry.stdout, /--apply would be refused/);
    const forced = await cli(['--max-daily', '0', '--force', '--json']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((JSON.parse(forced.stdout) as { refused: boolean }).refused, false);
  });

  test('--apply --notify: the listener goes, the stragglers\' flags are cleared, the mailing list is written; exit 0', async () => {
    const notify = join(dir, 'notify.csv');
    const run = await cli(['--apply', '--notify', notify, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(summary).sort(), [
      'alreadyCleared', 'applied', 'deletedInEntra', 'elapsedInMs', 'failures', 'flagMissing', 'graphRequests', 'interrupted', 'listener', 'maxDaily', 'migrated', 'migratedLastDay',
      'notApplied', 'notify', 'read', 'refused', 'released', 'releasedInAll', 'runId', 'stragglers', 'throttled', 'unanswered',
    ]);
    assert.equal(summary.released, 3);
    assert.equal(summary.migrated, 1);
    const runsLedger = await openLedger(env.LEDGER_DATABASE_URL!);
    const record = (await runsLedger.listBulkRuns().finally(() => runsLedger.close())).find((candidate) => candidate.id === summary.runId);
    // The reads and the 3 PATCHes; the budget is both pools': 15 $batches of 20 GETs and 18 PATCHes a second.
    assert.deepEqual([record?.command, record?.outcome, record?.dryRun, record?.counts.released, record?.graphRequests, record?.budgetPerSecond], ['cutover', 'completed', false, 3, summary.graphRequests, 318]);
    assert.ok((summary.graphRequests as number) >= 7, `4 reads and 3 PATCHes at least: ${String(summary.graphRequests)}`);
    assert.deepEqual((summary.listener as Array<{ status: string }>).map((step) => step.status), ['removed']);
    assert.deepEqual(summary.notify, { file: notify, accounts: 3 });
    assert.equal(emulator.objects.listeners.size, 0);
    assert.ok(emulator.objects.customExtensions.size === 1, 'the custom extension stays for the checklist');
    for (const id of ['c2', 'c3', '=c4']) assert.equal(flagOf(id), false);
    // A formula-looking legacy id and e-mail are made inert for spreadsheets.
    assert.equal(await readFile(notify, 'utf8'), '"legacy_id","email","display_name"\r\n"\'=c4","\'=c4@legacy.example",""\r\n"c2","c2@legacy.example",""\r\n"c3","c3@legacy.example",""\r\n');
    assert.equal((await stat(notify)).mode & 0o777, 0o600);
    const ledger = await openLedger(env.LEDGER_DATABASE_URL!);
    try {
      assert.equal((await ledger.reconciliation('c2'))!.confirmation, 'released-by-cutover');
      assert.equal(await ledger.reconciliation('c1'), undefined);
    } finally {
      await ledger.close();
    }
  });

  test('a second --apply is a no-op: nothing to release, the listener absent; the notify file still lists everyone', async () => {
    const notify = join(dir, 'again.csv');
    const run = await cli(['--apply', '--notify', notify]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^0 stragglers/m);
    assert.match(run.stdout, /^ {2}absent listener: /m);
    assert.match(run.stdout, /^ {2}cleared the flag of 0 stragglers/m);
    assert.match(run.stdout, /^3 accounts released-by-cutover in the ledger, all runs$/m);
    assert.equal((await readFile(notify, 'utf8')).split('\r\n').length, 5);
  });

  test('invalid options and settings exit 2, naming the problem, before Graph is contacted', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--notify', join(dir, 'x.csv')], {}, /--notify is written by --apply only/],
      [['--apply', '--notify', join(dir, 'missing', 'x.csv')], {}, /--notify .*its folder does not exist/],
      [['--max-daily', '-1'], {}, /--max-daily/],
      [['--max-daily', 'ten'], {}, /a whole number from 0 to 1000000/],
      [[], { MIGRATION_FLAG_ATTRIBUTE: 'toBeMigrated' }, /MIGRATION_FLAG_ATTRIBUTE must look like/],
      [[], { ENTRA_TENANT_ID: '' }, /ENTRA_TENANT_ID is required/],
    ];
    for (const [args, extra, message] of cases) {
      const run = await cli(args, extra);
      assert.equal(run.code, 2, `${args.join(' ')} ${JSON.stringify(extra)}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
    const noTarget = await runCli(['cutover'], { env, timeoutInMs: 30_000 });
    assert.equal(noTarget.code, 2);
    assert.match(noTarget.stderr, /--target-url/);
    const badTarget = await runCli(['cutover', '--target-url', 'http://jit.contoso.example/x'], { env, timeoutInMs: 30_000 });
    assert.equal(badTarget.code, 2);
    assert.match(badTarget.stderr, /http on loopback only/);
  });

  test('--help names the options, the settings, the refusal and the exit codes', async () => {
    const help = await runCli(['cutover', '--help'], { timeoutInMs: 30_000 });
    assert.equal(help.code, 0);
    for (const text of ['--apply', '--max-daily <n>', 'default 10', '--force', '--notify <file.csv>', 'released-by-cutover', 'setup --target-url URL --remove', 'MIGRATION_FLAG_ATTRIBUTE', 'LEDGER_DATABASE_URL', 'Exit codes', '130']) {
      assert.ok(help.stdout.includes(text), text);
    }
  });
});

describe('entra-migrate cutover --apply interrupted (command line)', () => {
  const COUNT = 150;
  let emulator: RunningEmulator;
  let dir: string;
  let env: Record<string, string>;
  const ids = Array.from({ length: COUNT }, (_, i) => `s${String(i).padStart(3, '0')}`);
  const objectIds = new Map<string, string>();
  const cleared = () => ids.filter((id) => emulator.directory.getExtensionAttributes(objectIds.get(id)!)[env.MIGRATION_FLAG_ATTRIBUTE!] === false).length;

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'cutover-stop-'));
    env = premigrateEnvironment(emulator, { clientId: CLIENT_ID, clientSecret: SECRET, ledgerPath: join(dir, 'ledger.db') });
    // Pre-created as premigrate would have (its Graph writes are not what this test is about).
    const ledger = await openLedger(env.LEDGER_DATABASE_URL!);
    for (const id of ids) {
      const user = await emulator.directory.createUser({ displayName: id, identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: `${id}@legacy.example` }], password: 'Unused-Random-1!', extensionAttributes: { [env.MIGRATION_FLAG_ATTRIBUTE!]: true } });
      objectIds.set(id, user.id);
      await ledger.recordAccount({ legacyId: id, email: `${id}@legacy.example`, state: 'created', entraObjectId: user.id, reason: null, updatedAt: new Date() });
    }
    await ledger.close();
  });
  after(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('Ctrl-C stops after the batches in flight (exit 130, every cleared flag recorded); the same command resumes', async () => {
    emulator.setGraphFaults({ latencyInMs: 150 });
    const child = spawn(process.execPath, ['--import', 'tsx', RUN_CLI, 'cutover', '--target-url', TARGET_URL, '--apply'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 60_000;
    while (cleared() === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /stopping: the batches in flight finish and are recorded/);
    const stopped = cleared();
    assert.ok(stopped > 0 && stopped < COUNT, `cleared ${stopped} of ${COUNT}`);
    const ledger = await openLedger(env.LEDGER_DATABASE_URL!);
    try {
      assert.equal((await ledger.countReconciliations())['released-by-cutover'], stopped, 'every cleared flag recorded');
    } finally {
      await ledger.close();
    }
    emulator.setGraphFaults({});
    const resumed = await runCli(['cutover', '--target-url', TARGET_URL, '--apply', '--json'], { env, timeoutInMs: 120_000 });
    assert.equal(resumed.code, 0, resumed.stderr);
    const summary = JSON.parse(resumed.stdout) as { released: number; alreadyCleared: number; releasedInAll: number };
    assert.equal(summary.released + summary.alreadyCleared, COUNT - stopped);
    assert.equal(summary.releasedInAll, COUNT);
    assert.equal(cleared(), COUNT);
  });
});
