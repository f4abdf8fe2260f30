import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { runCli } from '../support/cli.js';
import { premigrateEnvironment } from './premigrate-setup.js';

const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
const SECRET = 'cli-secret';

describe('entra-migrate premigrate (command line)', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    emulator = await startEmulator({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'premigrate-cli-'));
    env = premigrateEnvironment(emulator, { clientId: CLIENT_ID, clientSecret: SECRET, ledgerPath: join(dir, 'ledger.db') });
  });
  after(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('creates the accounts, prints a JSON summary, writes failures as CSV, and a second run skips them', async () => {
    const file = join(dir, 'users.jsonl');
    await writeFile(file, Array.from({ length: 25 }, (_, i) => JSON.stringify({ id: `c${i}`, email: `c${i}@legacy.example` })).join('\n') + '\n{"id": "bad", "email": "nope"}\n');
    const first = await runCli(['premigrate', '--from', file, '--json', '--failures', join(dir, 'failures.csv')], { env, timeoutInMs: 60_000 });
    // A row skipped as invalid is a failure: listed with its line, counted, exit 1.
    assert.equal(first.code, 1, first.stderr);
    const summary = JSON.parse(first.stdout) as { created: number; rejected: number; failed: number; runId: string; graphRequests: number; throttled: number };
    assert.deepEqual([summary.created, summary.rejected, summary.failed], [25, 1, 1]);
    // The run is in the ledger under the id --json names: completed, with the summary's counters and the pacer's budget.
    const ledger = await openLedger(env.LEDGER_DATABASE_URL!);
    const [run] = await ledger.listBulkRuns().finally(() => ledger.close());
    assert.equal(run?.id, summary.runId);
    assert.deepEqual(
      [run.command, run.outcome, run.dryRun, run.counts.read, run.counts.created, run.counts.rejected, run.counts.failed, run.graphRequests, run.throttled, run.budgetPerSecond],
      ['premigrate', 'completed', false, 26, 25, 1, 1, summary.graphRequests, summary.throttled, 18],
    );
    assert.equal(summary.graphRequests, 25, 'a fresh run sends one POST per account and looks nobody up');
    assert.equal(await readFile(join(dir, 'failures.csv'), 'utf8'), 'legacy_id,reason,line\nbad,email is not a valid e-mail address,26\n');
    assert.equal(emulator.directory.countUsers(), 25);
    const second = await runCli(['premigrate', '--from', file], { env, timeoutInMs: 60_000 });
    assert.equal(second.code, 1);
    assert.match(second.stdout, /^26 read: 0 created, 0 already in Entra, 25 done earlier, 1 failed \(1 invalid, 0 duplicate, 0 in Graph\)$/m);
    // Everything was done earlier: nothing sent to Graph; the run's id is the one the ledger holds, newest.
    const text = second.stdout.match(/^[\d.]+ s, [\d.]+ creates\/s, 0 throttled responses of 0 Graph requests \(run ([0-9a-f-]{36})\)$/m);
    assert.ok(text, second.stdout);
    const runsLedger = await openLedger(env.LEDGER_DATABASE_URL!);
    assert.equal((await runsLedger.listBulkRuns().finally(() => runsLedger.close()))[0]?.id, text[1]);
    assert.match(second.stdout, /^ {2}line 26, id bad: email is not a valid e-mail address$/m);
  });

  test('CSV rows skipped as invalid or duplicate go to --failures with the line they start on, and exit 1', async () => {
    const file = join(dir, 'skipped.csv');
    await writeFile(
      file,
      [
        'id,email,display_name',
        'k1,k1@legacy.example,"Two', // a quoted field over two lines: the next record starts on line 4
        'Lines"',
        'k2,not-an-email,K2',
        'k1,k1b@legacy.example,same id',
        'k3,k1@legacy.example,same e-mail',
        ',k4@legacy.example,no id',
        'k5,k5@legacy.example',
      ].join('\r\n') + '\r\n',
    );
    const failures = join(dir, 'skipped-failures.csv');
    const run = await runCli(['premigrate', '--from', file, '--failures', failures], { env, timeoutInMs: 60_000 });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /^6 read: 1 created, 0 already in Entra, 0 done earlier, 5 failed \(3 invalid, 2 duplicate, 0 in Graph\)$/m);
    assert.equal(
      await readFile(failures, 'utf8'),
      'legacy_id,reason,line\nk2,email is not a valid e-mail address,4\nk1,duplicate id,5\nk3,duplicate e-mail,6\n,no id,7\n,2 fields where the header has 3,8\n',
    );
    assert.equal(emulator.directory.findUserBySignInName('k1@legacy.example')?.displayName, 'Two\r\nLines');
  });

  test('missing settings exit 2 naming each; a bad rate is a usage error', async () => {
    const missing = await runCli(['premigrate', '--from', 'x.jsonl'], { env: {} });
    assert.equal(missing.code, 2);
    for (const name of ['ENTRA_TENANT_ID', 'ENTRA_TENANT_DOMAIN', 'MIGRATION_FLAG_ATTRIBUTE']) {
      assert.match(missing.stderr, new RegExp(`^entra-migrate premigrate: ${name} `, 'm'), name);
    }
    // Against a real authority, no secret means a managed identity; the emulator needs a secret.
    const { AZURE_CLIENT_SECRET: _secret, ...withoutSecret } = env;
    const noSecret = await runCli(['premigrate', '--from', 'x.jsonl'], { env: withoutSecret });
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /^entra-migrate premigrate: AZURE_CLIENT_SECRET is required when AZURE_AUTHORITY_HOST is a local emulator/m);
    const secretWithoutClient = await runCli(['premigrate', '--from', 'x.jsonl'], { env: { ...env, AZURE_CLIENT_ID: '' } });
    assert.match(secretWithoutClient.stderr, /AZURE_CLIENT_ID is required with a secret or certificate/);
    assert.equal((await runCli(['premigrate', '--from', 'x.jsonl', '--rate', '500'], { env })).code, 2);
    assert.equal((await runCli(['premigrate'], { env })).code, 2);
  });
});
