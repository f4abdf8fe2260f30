/**
 * `npm run bench:premigrate`: phase 1 through the real command line against the emulator throttled at a fixed
 * write budget.
 *
 * The emulator (in this process) admits BUDGET writes/s in all, spread over APPS app registrations (BUDGET/APPS
 * each), over Graph's sliding 150 s window, and answers the rest 429 with Retry-After. `entra-migrate premigrate`
 * (`bin/`, a child process, so its peak RSS is its own) runs with `--credentials` naming the APPS registrations and
 * `--rate` BUDGET/APPS — as a user sets `--rate` to what Graph grants each registration — and must keep the budget
 * busy: achieved writes/s ÷ budget, target ≥ 0.95. Peak RSS (the kernel's VmHWM) for 10k and 100k accounts: target
 * flat and ≤ 150 MB.
 *
 * BENCH_PREMIGRATE_SIZES=10000,100000, BENCH_PREMIGRATE_BUDGET=200 (writes/s) and BENCH_PREMIGRATE_APPS=4 change it.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../src/emulator/index.js';
import { cpuTimeInMs, fixed } from './measure.js';

const BIN = fileURLToPath(new URL('../bin/entra-migrate.js', import.meta.url));
const SIZES = (process.env.BENCH_PREMIGRATE_SIZES ?? '10000,100000').split(',').map(Number);
const BUDGET = Number(process.env.BENCH_PREMIGRATE_BUDGET ?? 200);
const APPS = Number(process.env.BENCH_PREMIGRATE_APPS ?? 4);
const WINDOW_IN_SECONDS = 150; // Graph's own window for identity writes
const FLAG = 'extension_3c5e2a1b8f4d4b6a9e7c1d2f3a4b5c6d_toBeMigrated';

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
      if (code !== 0) reject(new Error(`premigrate exited with ${code}`));
      else resolve({ summary: JSON.parse(out) as Record<string, number>, peakRssInMb: peakInKb / 1024, cpuInMs });
    });
  });
}

const dir = await mkdtemp(join(tmpdir(), 'bench-premigrate-'));
try {
  console.log(`entra-migrate premigrate (command line) against the emulator: budget ${BUDGET} writes/s over ${APPS} app registrations (${BUDGET / APPS}/s each, sliding ${WINDOW_IN_SECONDS} s window), --rate ${BUDGET / APPS}`);
  console.log('| accounts | created | elapsed s | writes/s | ÷ budget | throttled | peak RSS MB | CPU ms/account |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of SIZES) {
    const emulator = await startEmulator({ port: 0, graph: { writeBudget: { perApp: (BUDGET / APPS) * WINDOW_IN_SECONDS, perTenant: BUDGET * WINDOW_IN_SECONDS, windowInMs: WINDOW_IN_SECONDS * 1000 } } });
    try {
      const apps = Array.from({ length: APPS }, (_, i) => ({ clientId: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, clientSecret: `bench-secret-${i}` }));
      for (const app of apps) emulator.registerClientApp(app.clientId, app.clientSecret);
      const credentials = join(dir, 'credentials.json');
      await writeFile(credentials, JSON.stringify(apps), { mode: 0o600 });
      const file = join(dir, `users-${size}.jsonl`);
      await writeUsers(file, size);
      const { summary, peakRssInMb, cpuInMs } = await runPremigrate(['--from', file, '--credentials', credentials, '--rate', String(BUDGET / APPS), '--json'], {
        ENTRA_TENANT_ID: emulator.tenant.tenantId,
        ENTRA_TENANT_DOMAIN: emulator.tenant.domain,
        MIGRATION_FLAG_ATTRIBUTE: FLAG,
        GRAPH_BASE_URL: emulator.url,
        AZURE_AUTHORITY_HOST: emulator.url,
        LEDGER_DATABASE_URL: `sqlite://${join(dir, `ledger-${size}.db`)}`,
        ...(process.env.NODE_OPTIONS && { NODE_OPTIONS: process.env.NODE_OPTIONS }),
      });
      const perSecond = (summary.created! * 1000) / summary.elapsedInMs!;
      console.log(`| ${size} | ${summary.created} | ${fixed(summary.elapsedInMs! / 1000)} | ${fixed(perSecond)} | ${fixed(perSecond / BUDGET, 3)} | ${summary.throttled} | ${fixed(peakRssInMb)} | ${fixed(cpuInMs / size, 2)} |`);
      if (summary.created !== size || emulator.directory.countUsers() !== size) console.log(`  (!) ${size - summary.created!} accounts not created (failed ${summary.failed}); the directory holds ${emulator.directory.countUsers()}`);
    } finally {
      await emulator.close();
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
