/**
 * `npm run bench:premigrate`: phase 1 through the real command line against the emulator throttled at a fixed
 * write budget, without faults and with them.
 *
 * The emulator (in this process) admits a budget of writes per app registration, counted over a sliding window,
 * and answers the rest 429 with Retry-After. `entra-migrate premigrate` (`bin/`, a child process, so its peak RSS is
 * its own) runs with `--credentials` naming the registrations. The figure is accounts in Entra per second
 * (created, plus those found after a conflict) ÷ the budget of all the registrations together.
 *
 * - Unfaulted, 10k and 100k accounts: BUDGET writes/s over APPS registrations, Graph's own 150 s window, `--rate`
 *   BUDGET/APPS — as a user sets `--rate` to what Graph grants each registration: target ≥ 0.95, and peak RSS (the
 *   kernel's VmHWM) flat and ≤ 150 MB. (The emulator hashes a password and checks a token for every user: on two
 *   shared cores it creates about 200 users/s at most, so a busy machine measures the emulator here.)
 * - Faulted, issue 9 §1's stand-in: one registration, a write limit of 40/s and `--rate` 50 (25 % above it), 2 %
 *   of writes answered 503 before they run and 1 % after (the user exists though the answer says it failed),
 *   neither with Retry-After: target ≥ 0.85, nothing duplicated or lost; the same run without faults beside it.
 *   The window is FAULTED_WINDOW_SECONDS (15 s), not 150, because a budget binds only runs longer than its window:
 *   a 6,000-account run lasts 150 s, no longer than Graph's window, so it would never be throttled and `--rate` 25 %
 *   above the budget would simply measure 1.25. The first window is a head start besides (it fills before anything
 *   leaves it), worth about 0.2 × window ÷ run: at 15 s the run spans ten windows and the head start is 2 %, and
 *   the "after the first window" column (the directory's count every 250 ms from the first window's end to the
 *   last account) leaves it out altogether.
 *
 * BENCH_PREMIGRATE_SIZES=10000,100000, BENCH_PREMIGRATE_FAULTED_SIZE=6000 (0 skips the faulted runs),
 * BENCH_PREMIGRATE_BUDGET=200 (writes/s, unfaulted runs) and BENCH_PREMIGRATE_APPS=4 change it.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type GraphFaults } from '../src/emulator/index.js';
import { defineExtensionProperty } from '../test/support/flag-property.js';
import { cpuTimeInMs, fixed, sampleEvery } from './measure.js';

const BIN = fileURLToPath(new URL('../bin/entra-migrate.js', import.meta.url));
const SIZES = (process.env.BENCH_PREMIGRATE_SIZES ?? '10000,100000').split(',').filter(Boolean).map(Number);
const FAULTED_SIZE = Number(process.env.BENCH_PREMIGRATE_FAULTED_SIZE ?? 6000);
const BUDGET = Number(process.env.BENCH_PREMIGRATE_BUDGET ?? 200);
const APPS = Number(process.env.BENCH_PREMIGRATE_APPS ?? 4);
const WINDOW_IN_SECONDS = 150; // Graph's own window for identity writes
const FAULTED_WINDOW_SECONDS = 15;
/** Issue 9's stand-in: one registration, a write limit of 40/s, and `--rate 50`. */
const FAULTED_BUDGET = 40;
const FAULTED_RATE = 50;
const ISSUE_9_FAULTS: GraphFaults = { serviceUnavailableRate: 0.02, serviceUnavailableAfterWriteRate: 0.01, serviceUnavailableRetryAfterInSeconds: null };

interface BenchCase {
  label: string;
  size: number;
  /** App registrations, and the writes per second they may make together. */
  apps: number;
  budget: number;
  windowInSeconds: number;
  /** `--rate`, per app registration. */
  rate: number;
  faults?: GraphFaults;
}

async function writeUsers(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    if (!out.write(`{"id":"bench-${i}","email":"bench.user.${i}@legacy.example","display_name":"Bench User ${i}","given_name":"Bench","surname":"User ${i}"}\n`)) {
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

/** Runs the command line; resolves with its JSON summary, its peak RSS and its CPU time, polled from /proc every 100 ms. */
function runPremigrate(args: string[], env: Record<string, string>): Promise<{ summary: Record<string, number>; peakRssInMb: number; cpuInMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'premigrate', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let peakInKb = 0;
    let cpuInMs = 0;
    const poll = setInterval(() => {
      readFile(`/proc/${child.pid}/status`, 'utf8')
        .then((status) => (peakInKb = Math.max(peakInKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))))
        .catch(() => undefined);
      try {
        cpuInMs = cpuTimeInMs(child.pid!); // the last reading before exit: at most 100 ms short
      } catch {
        // the process has just ended
      }
    }, 100);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('exit', (code) => {
      clearInterval(poll);
      // Exit 1 is a run that finished with failures: its summary says which, and the table shows them.
      if (code !== 0 && code !== 1) reject(new Error(`premigrate exited with ${code}`));
      else resolve({ summary: JSON.parse(out) as Record<string, number>, peakRssInMb: peakInKb / 1024, cpuInMs });
    });
  });
}

async function runCase(dir: string, bench: BenchCase): Promise<void> {
  const emulator = await startEmulator({
    port: 0,
    graph: { writeBudget: { perApp: (bench.budget / bench.apps) * bench.windowInSeconds, perTenant: bench.budget * bench.windowInSeconds, windowInMs: bench.windowInSeconds * 1000 }, ...(bench.faults && { faults: bench.faults }) },
  });
  try {
    const flag = defineExtensionProperty(emulator);
    const apps = Array.from({ length: bench.apps }, (_, i) => ({ clientId: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, clientSecret: `bench-secret-${i}` }));
    for (const app of apps) emulator.registerClientApp(app.clientId, app.clientSecret);
    const credentials = join(dir, 'credentials.json');
    await writeFile(credentials, JSON.stringify(apps), { mode: 0o600 });
    const file = join(dir, `users-${bench.size}.jsonl`);
    await writeUsers(file, bench.size);
    // The directory's count over time, for the rate after the first window.
    const counts = sampleEvery(250, () => emulator.directory.countUsers());
    const { summary, peakRssInMb, cpuInMs } = await runPremigrate(['--from', file, '--credentials', credentials, '--rate', String(bench.rate), '--json'], {
      ENTRA_TENANT_ID: emulator.tenant.tenantId,
      ENTRA_TENANT_DOMAIN: emulator.tenant.domain,
      MIGRATION_FLAG_ATTRIBUTE: flag,
      GRAPH_BASE_URL: emulator.url,
      AZURE_AUTHORITY_HOST: emulator.url,
      LEDGER_DATABASE_URL: `sqlite://${join(dir, `ledger-${bench.label.replace(/\W+/g, '-')}-${bench.size}.db`)}`,
      ...(process.env.NODE_OPTIONS && { NODE_OPTIONS: process.env.NODE_OPTIONS }),
    });
    const samples = counts.stop();
    const inEntra = summary.created! + summary.existing!;
    const ratio = (inEntra * 1000) / summary.elapsedInMs! / bench.budget;
    const users = emulator.directory.countUsers();
    const cells = [bench.label, bench.size, inEntra, users, summary.existing, fixed(summary.elapsedInMs! / 1000), fixed(ratio * bench.budget), fixed(ratio, 3), fixed(afterFirstWindow(samples, bench.windowInSeconds * 1000) / bench.budget, 3), summary.throttled, fixed(peakRssInMb), fixed(cpuInMs / bench.size, 2)];
    console.log(`| ${cells.join(' | ')} |`);
    // Nothing lost, nothing twice: every account in Entra once, and the directory holds exactly them.
    if (inEntra !== bench.size || users !== bench.size || summary.failed !== 0) {
      console.log(`  (!) ${bench.size - inEntra} accounts not in Entra (failed ${summary.failed}); the directory holds ${users} of ${bench.size}`);
    }
  } finally {
    await emulator.close();
  }
}

/** Accounts per second from the end of the first window (after the first account) to the last; NaN if the run is shorter. */
function afterFirstWindow(samples: ReadonlyArray<{ at: number; value: number }>, windowInMs: number): number {
  const first = samples.find((sample) => sample.value > 0);
  const last = samples.find((sample) => sample.value === samples.at(-1)!.value);
  const from = first && samples.find((sample) => sample.at >= first.at + windowInMs);
  if (!from || !last || last.at <= from.at) return Number.NaN;
  return ((last.value - from.value) * 1000) / (last.at - from.at);
}

const dir = await mkdtemp(join(tmpdir(), 'bench-premigrate-'));
try {
  console.log('entra-migrate premigrate (command line) against the emulator');
  console.log('| run | accounts | in Entra | users in the directory | of which found after a 503 | elapsed s | accounts/s | ÷ budget | ÷ budget after the first window | throttled | peak RSS MB | CPU ms/account |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const perApp = BUDGET / APPS;
  for (const size of SIZES) {
    await runCase(dir, { label: `no faults, ${APPS} apps × ${perApp}/s, ${WINDOW_IN_SECONDS} s window, --rate ${perApp}`, size, apps: APPS, budget: BUDGET, windowInSeconds: WINDOW_IN_SECONDS, rate: perApp });
  }
  if (FAULTED_SIZE > 0) {
    const faulted = { size: FAULTED_SIZE, apps: 1, budget: FAULTED_BUDGET, windowInSeconds: FAULTED_WINDOW_SECONDS, rate: FAULTED_RATE };
    const shape = `1 app × ${FAULTED_BUDGET}/s, ${FAULTED_WINDOW_SECONDS} s window, --rate ${FAULTED_RATE}`;
    await runCase(dir, { ...faulted, label: `no faults, ${shape}` });
    await runCase(dir, { ...faulted, label: `2 % 503 before, 1 % after the write, ${shape}`, faults: ISSUE_9_FAULTS });
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
