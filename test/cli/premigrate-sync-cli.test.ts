import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { runCli } from '../support/cli.js';
import { premigrateEnvironment } from './premigrate-setup.js';

const CLIENT_ID = '11111111-2222-4333-8444-777777777777';
const SECRET = 'sync-cli-secret';

describe('entra-migrate premigrate --sync (command line)', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    emulator = await startEmulator({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'premigrate-sync-cli-'));
    env = premigrateEnvironment(emulator, { clientId: CLIENT_ID, clientSecret: SECRET, ledgerPath: join(dir, 'ledger.db') });
  });
  after(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  const source = async (name: string, rows: Array<Record<string, unknown>>) => {
    const file = join(dir, name);
    await writeFile(file, rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
    return file;
  };
  const rows = Array.from({ length: 12 }, (_, i) => ({ id: `s${String(i).padStart(2, '0')}`, email: `s${i}@legacy.example`, display_name: `Sync ${i}` }));

  test('a dry run prints the diff and exits 0 without writing; --apply writes it; --json has the documented keys', async () => {
    assert.equal((await runCli(['premigrate', '--from', await source('all.jsonl', rows)], { env, timeoutInMs: 60_000 })).code, 0);
    const changed = rows.map((row, i) => (i === 1 ? { ...row, display_name: 'Renamed One' } : i === 2 ? { ...row, enabled: false } : row));
    const file = await source('changed.jsonl', changed);

    const dry = await runCli(['premigrate', '--sync', '--from', file], { env, timeoutInMs: 60_000 });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^dry run: 12 read: 1 would change, 1 would be disabled, 0 would be re-enabled, 10 unchanged, 0 failed$/m);
    assert.match(dry.stdout, /^ {2}id s01: displayName "Sync 1" → "Renamed One"$/m);
    assert.match(dry.stdout, /^ {2}id s02: accountEnabled true → false$/m);
    assert.match(dry.stdout, /run again with --apply/);

    const applied = await runCli(['premigrate', '--sync', '--apply', '--json', '--from', file], { env, timeoutInMs: 60_000 });
    assert.equal(applied.code, 0, applied.stderr);
    const summary = JSON.parse(applied.stdout) as Record<string, unknown>;
    for (const key of ['runId', 'graphRequests', 'throttled', 'dryRun', 'read', 'changed', 'disabled', 'reenabled', 'unchanged', 'failed', 'departed', 'departuresChecked', 'massDisable', 'changes', 'failures']) assert.ok(key in summary, key);
    const ledger = await openLedger(env.LEDGER_DATABASE_URL!);
    const runs = await ledger.listBulkRuns().finally(() => ledger.close());
    // Newest first: this run, the dry run before it, the premigrate that created the accounts.
    assert.deepEqual(runs.slice(0, 3).map((run) => [run.command, run.dryRun, run.outcome]), [['premigrate-sync', false, 'completed'], ['premigrate-sync', true, 'completed'], ['premigrate', false, 'completed']]);
    assert.deepEqual([runs[0]!.id, runs[0]!.counts.changed, runs[0]!.counts.disabled, runs[0]!.graphRequests], [summary.runId, 1, 1, summary.graphRequests]);
    // What the dry run listed is still to do: it wrote nothing.
    assert.deepEqual([summary.dryRun, summary.changed, summary.disabled], [false, 1, 1]);

    const again = await runCli(['premigrate', '--sync', '--apply', '--from', file], { env, timeoutInMs: 60_000 });
    assert.match(again.stdout, /^12 read: 0 changed, 0 disabled, 0 re-enabled, 12 unchanged, 0 failed$/m);
  });

  test('the mass-disable guard exits 1 and says how to go on; --apply, --allow-mass-disable and --dry-run are checked before anything runs (exit 2)', async () => {
    // An export that suddenly returns nobody: the 11 accounts still enabled (s02 was disabled above) are over the limit.
    const guarded = await runCli(['premigrate', '--sync', '--apply', '--from', await source('none.jsonl', [])], { env, timeoutInMs: 60_000 });
    assert.equal(guarded.code, 1);
    assert.match(guarded.stdout, /REFUSED to disable 11 accounts in one run \(the limit is 10.*--allow-mass-disable/);

    const file = await source('plain.jsonl', rows);
    for (const args of [['--apply'], ['--allow-mass-disable'], ['--sync', '--dry-run'], ['--sync', '--email-method']]) {
      const refused = await runCli(['premigrate', ...args, '--from', file], { env, timeoutInMs: 30_000 });
      assert.equal(refused.code, 2, `${args.join(' ')}: ${refused.stderr}`);
      assert.match(refused.stderr, new RegExp(args.at(-1)!));
    }
  });
});
