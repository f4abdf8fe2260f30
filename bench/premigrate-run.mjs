/**
 * One premigrate run for `bench/premigrate.bench.ts`, in its own process so its peak RSS is its own: reads the
 * JSON-lines file in argv[2] and creates the accounts through the emulator whose settings are in the environment,
 * paced at argv[3] writes/s. Prints one JSON line: the summary's counts, elapsed time and peak RSS.
 */
// Plain JavaScript over dist/ (built by the bench script): no TypeScript loader in the process being measured.
import { premigrate, readSource } from '../dist/bulk/index.js';
import { appCredential, createGraphBatchClient, createPacer } from '../dist/graph/index.js';
import { openLedger } from '../dist/ledger/index.js';

const [file, rate] = [process.argv[2], Number(process.argv[3])];
const env = process.env;
const ledger = await openLedger(env.LEDGER_DATABASE_URL);
const { credential } = appCredential({ authorityHost: env.AZURE_AUTHORITY_HOST, tenantId: env.ENTRA_TENANT_ID, clientId: env.AZURE_CLIENT_ID, clientSecret: env.AZURE_CLIENT_SECRET });
const graph = createGraphBatchClient({ baseUrl: env.GRAPH_BASE_URL, credential, pacer: createPacer({ ratePerSecond: rate }) });
const started = performance.now();
const cpuBefore = process.cpuUsage();
let nextSample = 0;
const samples = [];
const summary = await premigrate({
  source: readSource(file),
  ledger,
  graph,
  userBody: { tenantDomain: env.ENTRA_TENANT_DOMAIN, flagAttribute: env.MIGRATION_FLAG_ATTRIBUTE },
  concurrency: Number(env.BENCH_CONCURRENCY ?? 4),
  onProgress: (progress) => {
    if (progress.created < nextSample) return;
    nextSample += Number(env.BENCH_SAMPLE_EVERY ?? 10_000);
    const memory = process.memoryUsage();
    samples.push({ created: progress.created, rssInMb: Math.round(memory.rss / 1048576), heapInMb: Math.round(memory.heapUsed / 1048576) });
  },
});
const cpu = process.cpuUsage(cpuBefore);
const elapsedInMs = performance.now() - started;
await ledger.close();
const { failures: _failures, rejections: _rejections, ...counts } = summary;
process.stdout.write(`${JSON.stringify({ ...counts, elapsedInMs, cpuMsPerAccount: (cpu.user + cpu.system) / 1000 / Math.max(1, summary.created), maxRssInMb: process.resourceUsage().maxRSS / 1024, samples })}\n`);
