import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import { openLedger } from '../../src/ledger/index.js';
import { runCli } from '../support/cli.js';
import { premigrateEnvironment } from './premigrate-setup.js';

const CLIENT_ID = '11111111-2222-4333-8444-555555555555';
const SECRET = 'interrupt-cli-secret';
const RUN_CLI = fileURLToPath(new URL('../support/run-cli.ts', import.meta.url));
const STOPPING = /^entra-migrate premigrate: stopping: (\d+) batch(?:es)? in flight, nothing new is sent; Ctrl-C again to exit at once\.$/m;

/** `entra-migrate` in a child process we can signal, with what it printed so far and a way to wait for a line. */
interface RunningCli {
  child: ChildProcess;
  output(): { stdout: string; stderr: string };
  /** Resolves with the match once stderr matches `pattern`; rejects if the process exits first. */
  stderrMatching(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

function startCli(args: readonly string[], env: Record<string, string>): RunningCli {
  const child = spawn(process.execPath, ['--import', 'tsx', RUN_CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const waiter of waiters) waiter();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited,
    stderrMatching: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = stderr.match(pattern);
          if (match) {
            waiters.delete(check);
            resolve(match);
          }
        };
        waiters.add(check);
        check();
        void exited.then(() => waiters.has(check) && reject(new Error(`exited before printing ${pattern}:\n${stderr}`)));
      }),
  };
}

/** Polls `condition` until it holds: waiting for a state, never a fixed sleep standing in for one. */
async function until(condition: () => boolean, what: string, timeoutInMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutInMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('entra-migrate premigrate: Ctrl-C', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'premigrate-interrupt-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** An emulator, a source of `count` accounts, the environment, and the ledger's account states as the run records them. */
  const setUp = async (name: string, count: number, graph: EmulatorOptions['graph']) => {
    const emulator: RunningEmulator = await startEmulator({ port: 0, ...(graph && { graph }) });
    const file = join(dir, `${name}.jsonl`);
    await writeFile(file, Array.from({ length: count }, (_, i) => JSON.stringify({ id: `${name}-${i}`, email: `${name}${i}@legacy.example` })).join('\n') + '\n');
    const ledgerPath = join(dir, `${name}-ledger.db`);
    const env = premigrateEnvironment(emulator, { clientId: CLIENT_ID, clientSecret: SECRET, ledgerPath });
    /** Accounts in `state` in the ledger the child process writes (0 before it exists). */
    const inLedger = (state: string): number => {
      try {
        const db = new Database(ledgerPath, { readonly: true, fileMustExist: true });
        try {
          return db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM premigration_accounts WHERE state = ?').get(state)?.n ?? 0;
        } finally {
          db.close();
        }
      } catch {
        return 0;
      }
    };
    /** The runs the ledger holds, newest first. */
    const runs = async () => {
      const ledger = await openLedger(env.LEDGER_DATABASE_URL!);
      return ledger.listBulkRuns().finally(() => ledger.close());
    };
    return { emulator, file, env, inLedger, runs };
  };

  test('the first Ctrl-C answers at once with the batches in flight; they finish and are recorded; the next run resumes', async () => {
    // 60 accounts: three batches of 20, all sent at once (4 may be in flight); each inner request takes 300 ms.
    const { emulator, file, env, inLedger } = await setUp('first', 60, { faults: { latencyInMs: 300 } });
    try {
      const run = startCli(['premigrate', '--from', file, '--json'], env);
      // All three batches started (their accounts recorded pending), and Graph is creating the first one's.
      await until(() => inLedger('pending') === 60 && emulator.directory.countUsers() > 0, 'the batches to be sent');
      run.child.kill('SIGINT');
      const [, inFlight] = await run.stderrMatching(STOPPING);
      // Answered while the batches were still running, not after them (each takes 21 × 300 ms).
      assert.ok(emulator.directory.countUsers() < 60, 'the answer came before the batches finished');
      assert.equal(inFlight, '3');
      assert.equal(await run.exited, 1);
      const { stdout, stderr } = run.output();
      assert.match(stderr, /^entra-migrate premigrate: interrupted; run the same command again to resume\.$/m);
      // The batches on the wire finished, whole, and were recorded; those still waiting for the pacer were not sent.
      const summary = JSON.parse(stdout) as { created: number; interrupted: boolean };
      assert.equal(summary.interrupted, true);
      assert.ok(summary.created >= 20 && summary.created % 20 === 0, `${summary.created} created`);
      assert.equal(inLedger('created'), summary.created);
      assert.equal(emulator.directory.countUsers(), summary.created);
      emulator.setGraphFaults({});
      const again = await runCli(['premigrate', '--from', file], { env, timeoutInMs: 60_000 });
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, new RegExp(`^60 read: ${60 - summary.created} created, 0 already in Entra, ${summary.created} done earlier, 0 failed`, 'm'));
      assert.equal(emulator.directory.countUsers(), 60);
    } finally {
      await emulator.close();
    }
  });

  test('Ctrl-C (here SIGTERM) after the source is fully read still interrupts: throttled accounts are not sent again', async () => {
    // 60 accounts, 30 writes per 10 s: the first 30 are created, the other 30 answered 429 and queued for a retry.
    const { emulator, file, env, inLedger, runs } = await setUp('after-read', 60, { writeBudget: { perApp: 30, windowInMs: 10_000 } });
    try {
      const run = startCli(['premigrate', '--from', file, '--json'], env);
      await until(() => inLedger('created') === 30, 'the first 30 accounts to be created');
      run.child.kill('SIGTERM');
      await run.stderrMatching(STOPPING);
      assert.equal(await run.exited, 1);
      const summary = JSON.parse(run.output().stdout) as { created: number; interrupted: boolean; runId: string; throttled: number; graphRequests: number };
      assert.deepEqual([summary.interrupted, summary.created], [true, 30]);
      // The ledger holds the run as interrupted, with what it did: creates sent, those over the budget answered 429.
      const [recorded] = await runs();
      assert.deepEqual(
        [recorded?.id, recorded?.outcome, recorded?.counts.created, recorded?.graphRequests, recorded?.throttled],
        [summary.runId, 'interrupted', 30, summary.graphRequests, summary.throttled],
      );
      assert.ok(summary.throttled > 0 && summary.graphRequests >= 30 + summary.throttled, `${summary.graphRequests} requests, ${summary.throttled} throttled`);
      // Nothing was sent after the signal: the 30 waiting for their retry were not created.
      assert.equal(emulator.directory.countUsers(), 30);
      assert.equal(inLedger('created'), 30);
    } finally {
      await emulator.close();
    }
  });

  test('a second Ctrl-C exits at once (130) with the resume hint; the next run creates every account exactly once', async () => {
    const { emulator, file, env, inLedger, runs } = await setUp('second', 60, { faults: { latencyInMs: 1000 } });
    try {
      const run = startCli(['premigrate', '--from', file], env);
      await until(() => inLedger('pending') === 60, 'the three batches to be sent');
      run.child.kill('SIGINT');
      await run.stderrMatching(STOPPING);
      run.child.kill('SIGINT');
      assert.equal(await run.exited, 130);
      // It did not wait for the batches (21 s each).
      assert.ok(emulator.directory.countUsers() < 60);
      assert.match(
        run.output().stderr,
        /^entra-migrate premigrate: stopped at once with \d+ batch(?:es)? in flight; their accounts stay pending and are looked up, never created twice: run the same command again to resume\.$/m,
      );
      assert.equal(inLedger('created'), 0);
      // Exited without a last word: the run stays running in the ledger, as far as its last record went.
      const [killed] = await runs();
      assert.deepEqual([killed?.command, killed?.outcome, killed?.finishedAt], ['premigrate', 'running', null]);
      emulator.setGraphFaults({});
      // The emulator finishes the batches the exited process left behind; the resumed run looks those accounts up.
      const again = await runCli(['premigrate', '--from', file, '--json'], { env, timeoutInMs: 90_000 });
      assert.equal(again.code, 0, again.stderr);
      const summary = JSON.parse(again.stdout) as { created: number; existing: number };
      assert.equal(summary.created + summary.existing, 60);
      assert.equal(emulator.directory.countUsers(), 60);
      assert.equal(inLedger('created') + inLedger('existing'), 60);
    } finally {
      await emulator.close();
    }
  });
});
