/**
 * `npm run bench:reconcile`: `entra-migrate reconcile` through the real command line against the emulator's Graph
 * resource-unit budget (a GET of a user with `$select` costs 1 unit; see src/emulator/graph/read-budget.ts).
 *
 * SIZE pre-created accounts (default 10,000), every one still flagged, are read once per case by one app
 * registration. reconcile paces itself at 15 `$batch`es of 20 GETs a second (300 reads/s, 3,000 units per 10 s:
 * under the smallest tenant's 3,500), so:
 * - budget 3,500 units per 10 s (an S tenant): the pacer, not Graph, sets the rate; target ≥ 0.8 × budget, 0 throttled;
 * - budget 2,000 per 10 s (a budget below the pacer's rate, as a tenant shared with other apps may leave): Graph
 *   throttles, the pacer honours Retry-After and eases; the figure is reads/s ÷ budget, and every account is read;
 * - budget 8,000 per 10 s (an L tenant): the pacer's ceiling, 300 reads/s, is the figure.
 * The users live in one emulator directory file, started again for each case with its budget; the ledger is one SQLite
 * file (the accounts stay `pending`, so each case reads them all again).
 *
 * BENCH_RECONCILE_SIZE=10000 and BENCH_RECONCILE_BUDGETS=3500,2000,8000 change it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from '../src/emulator/index.js';
import { openLedger } from '../src/ledger/index.js';
import { defineExtensionProperty } from '../test/support/flag-property.js';
import { fixed } from './measure.js';

const BIN = fileURLToPath(new URL('../bin/entra-migrate.js', import.meta.url));
const SIZE = Number(process.env.BENCH_RECONCILE_SIZE ?? 10_000);
const BUDGETS = (process.env.BENCH_RECONCILE_BUDGETS ?? '3500,2000,8000').split(',').filter(Boolean).map(Number);
const CLIENT_ID = '00000000-0000-4000-8000-00000000bec0';
const CLIENT_SECRET = 'bench-reconcile-secret';
/** Users created at once while seeding (each hashes its password in the emulator). */
const SEED_CONCURRENCY = 16;

function runReconcile(env: Record<string, string>): Promise<{ summary: { read: number; throttled: number; unanswered: number; states: Record<string, number> }; elapsedInMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'reconcile', '--json'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('exit', (code) => {
      if (code !== 0 && code !== 1) return reject(new Error(`reconcile exited with ${code}`));
      resolve({ summary: JSON.parse(out), elapsedInMs: performance.now() - started });
    });
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-reconcile-'));
  const directoryPath = join(dir, 'emulator.db');
  const ledgerUrl = `sqlite://${join(dir, 'ledger.db')}`;
  try {
    console.log(`Seeding ${SIZE.toLocaleString('en')} flagged users and their ledger rows …`);
    const seeding = await startEmulator({ port: 0, directoryPath });
    let tenantId: string;
    let flag: string;
    try {
      tenantId = seeding.tenant.tenantId;
      flag = defineExtensionProperty(seeding);
      seeding.registerClientApp(CLIENT_ID, CLIENT_SECRET);
      const ledger = await openLedger(ledgerUrl);
      const at = new Date(Date.now() - 86_400_000);
      for (let start = 0; start < SIZE; start += SEED_CONCURRENCY) {
        await Promise.all(
          Array.from({ length: Math.min(SEED_CONCURRENCY, SIZE - start) }, async (_, j) => {
            const i = start + j;
            const email = `reconcile.${i}@legacy.example`;
            const user = await seeding.directory.createUser({
              displayName: `Reconcile ${i}`,
              identities: [{ signInType: 'emailAddress', issuer: seeding.tenant.domain, issuerAssignedId: email }],
              password: `Bench-Initial-Password-${i}!`,
              extensionAttributes: { [flag]: true },
            });
            await ledger.recordAccount({ legacyId: `r-${String(i).padStart(7, '0')}`, email, state: 'created', entraObjectId: user.id, reason: null, updatedAt: at });
          }),
        );
      }
      await ledger.close();
    } finally {
      await seeding.close();
    }

    console.log('\n| Budget (units / 10 s) | Accounts read | Time (s) | Reads/s | × budget | Throttled answers | Unanswered |');
    console.log('|---|---|---|---|---|---|---|');
    for (const budget of BUDGETS) {
      const emulator = await startEmulator({ port: 0, directoryPath, graph: { readBudget: { perApp: budget } } });
      try {
        const { summary, elapsedInMs } = await runReconcile({
          ENTRA_TENANT_ID: tenantId,
          MIGRATION_FLAG_ATTRIBUTE: flag,
          GRAPH_BASE_URL: emulator.url,
          AZURE_AUTHORITY_HOST: emulator.url,
          AZURE_CLIENT_ID: CLIENT_ID,
          AZURE_CLIENT_SECRET: CLIENT_SECRET,
          LEDGER_DATABASE_URL: ledgerUrl,
        });
        const readsPerSecond = (summary.read * 1000) / elapsedInMs;
        console.log(`| ${budget.toLocaleString('en')} | ${summary.read} | ${fixed(elapsedInMs / 1000)} | ${fixed(readsPerSecond)} | ${fixed(readsPerSecond / (budget / 10), 3)} | ${summary.throttled} | ${summary.unanswered} |`);
        if (summary.read !== SIZE) console.log(`  (!) ${SIZE - summary.read} accounts not read`);
      } finally {
        await emulator.close();
      }
    }
    console.log('\nTime is the whole command line (start-up, token, ledger pages included); × budget is reads/s ÷ (budget ÷ 10 s).');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
