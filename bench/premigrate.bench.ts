/**
 * `npm run bench:premigrate`: phase 1 against the emulator throttled at a fixed write budget.
 *
 * The emulator (`entra-migrate emulate`, a child process) admits BUDGET writes/s per app over a sliding 150 s (Graph's)
 * window and answers the rest 429 with Retry-After. Premigrate (another child process, so its peak RSS is its own)
 * is paced at the same budget — as a user sets `--rate` to what Graph grants — and must keep the budget busy:
 * achieved writes/s ÷ budget, target ≥ 0.95. Peak RSS for 10k and 100k accounts, target flat and ≤ 150 MB.
 *
 * BENCH_PREMIGRATE_SIZES=10000,100000 and BENCH_PREMIGRATE_BUDGET=200 (writes/s) change the runs.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixed } from './measure.js';

const BIN = fileURLToPath(new URL('../bin/entra-migrate.js', import.meta.url));
const RUN = fileURLToPath(new URL('./premigrate-run.mjs', import.meta.url));
const SIZES = (process.env.BENCH_PREMIGRATE_SIZES ?? '10000,100000').split(',').map(Number);
const BUDGET = Number(process.env.BENCH_PREMIGRATE_BUDGET ?? 200);
const WINDOW_IN_SECONDS = 150; // Graph's own window for identity writes

/** Starts the emulator and resolves with the settings it prints. */
function startEmulator(): Promise<{ stop: () => void; settings: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'emulate', '--port', '0', '--log-level', 'silent', '--graph-writes-per-app', String(BUDGET * WINDOW_IN_SECONDS), '--graph-writes-per-tenant', String(BUDGET * WINDOW_IN_SECONDS * 10), '--graph-window-seconds', String(WINDOW_IN_SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!/AZURE_CLIENT_SECRET=\S+\n/.test(out)) return;
      resolve({ stop: () => child.kill('SIGTERM'), settings: Object.fromEntries([...out.matchAll(/^\s+([A-Z_]+)=(\S+)$/gm)].map((match) => [match[1]!, match[2]!])) });
    });
    child.on('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
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

function runPremigrate(file: string, env: Record<string, string>): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, file, String(BUDGET)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Record<string, number>) : reject(new Error(`premigrate exited with ${code}`))));
  });
}

const dir = await mkdtemp(join(tmpdir(), 'bench-premigrate-'));
try {
  console.log(`premigrate against the emulator, budget ${BUDGET} writes/s per app (sliding ${WINDOW_IN_SECONDS} s window), pacer at the budget`);
  console.log('| accounts | created | elapsed s | writes/s | ÷ budget | throttled | peak RSS MB |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of SIZES) {
    const emulator = await startEmulator();
    try {
      const file = join(dir, `users-${size}.jsonl`);
      await writeUsers(file, size);
      const result = await runPremigrate(file, {
        ...emulator.settings,
        MIGRATION_FLAG_ATTRIBUTE: 'extension_3c5e2a1b8f4d4b6a9e7c1d2f3a4b5c6d_toBeMigrated',
        LEDGER_DATABASE_URL: `sqlite://${join(dir, `ledger-${size}.db`)}`,
      });
      const perSecond = (result.created! * 1000) / result.elapsedInMs!;
      console.log(`| ${size} | ${result.created} | ${fixed(result.elapsedInMs! / 1000)} | ${fixed(perSecond)} | ${fixed(perSecond / BUDGET, 3)} | ${result.throttled} | ${fixed(result.maxRssInMb!)} |`);
      console.error(`  samples: ${JSON.stringify(result.samples)} · CPU ${fixed(result.cpuMsPerAccount ?? Number.NaN, 2)} ms per account`);
      if (result.created !== size) console.log(`  (!) ${size - result.created!} accounts not created: failed ${result.failed}`);
    } finally {
      emulator.stop();
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
