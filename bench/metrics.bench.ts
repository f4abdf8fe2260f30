/**
 * `npm run bench:metrics`: what counting and timing every answer (METRICS_TOKEN) and tracing every callout
 * (OTEL_EXPORTER_OTLP_ENDPOINT) cost on the OnPasswordSubmit path. Three `serve` child processes (`dist/`, as
 * deployed) over the same keys and legacy store — without either, with metrics, with tracing (spans and the OTel
 * metrics sent over OTLP http/protobuf, the default, to a receiver stand-in in this process) — each driven open-loop
 * at Entra's 50 requests/s; the runs alternate so drift hits all alike. Then the time one scrape takes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import Database from 'better-sqlite3';
import { mintCalloutToken, startEmulator } from '../src/emulator/index.js';
import { generateDecryptionKey } from '../src/security/index.js';
import { call, calloutBody, openLoop, startServe } from './callouts.js';
import { cpuTimeInMs, fixed, percentiles } from './measure.js';
import { startOtlpReceiver } from '../test/telemetry/otlp-receiver.js';

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const PASSWORD = 'Bench-Mark-Password-1!';
const METRICS_TOKEN = 'bench-metrics-token-0123456789';
const RATE = 50;
const SECONDS = 10;
const ROUNDS = 3;

console.log(`# entra-migrate bench: metrics overhead — node ${process.version}, ${availableParallelism()} cores\n`);
const emulator = await startEmulator({ port: 0 });
const key = await generateDecryptionKey();
const dir = await mkdtemp(join(tmpdir(), 'entra-migrate-bench-metrics-'));
const keyPath = join(dir, 'key.pem');
await writeFile(keyPath, key.privateKeyPem + key.certificatePem, { mode: 0o600 });
const legacy = new Database(join(dir, 'legacy.db'));
legacy.exec('CREATE TABLE users (email TEXT PRIMARY KEY, password_hash TEXT NOT NULL)');
// bcrypt cost 6 (about 5 ms): the 2-core bench machine keeps up with 50 req/s, so what is measured is the path's own
// cost and not a queue (cost 10 at 50 req/s needs about 4 cores: docs/deploying.md#capacity).
legacy.prepare('INSERT INTO users VALUES (?, ?)').run('bcrypt@bench.example', await bcryptHash(PASSWORD, 6));
legacy.close();

const settings = (ledger: string, extra: Record<string, string>) => ({
  ENTRA_TENANT_ID: emulator.tenant.tenantId,
  ENTRA_EXTENSION_APP_ID: APP_ID,
  ENTRA_OPENID_CONFIGURATION_URL: emulator.openIdConfigurationUrl,
  JIT_DECRYPTION_KEY_FILE: keyPath,
  LEGACY_DATABASE_URL: `sqlite://${join(dir, 'legacy.db')}`,
  LEGACY_USER_QUERY: 'SELECT password_hash FROM users WHERE email = :username',
  LEDGER_DATABASE_URL: `sqlite://${join(dir, ledger)}`,
  ...extra,
});
// The collector stand-in answers every export at once, as a collector sidecar on the same host would.
const receiver = await startOtlpReceiver();
const servers = {
  without: await startServe(settings('ledger-without.db', {})),
  with: await startServe(settings('ledger-with.db', { METRICS_TOKEN })),
  // The SDK's defaults otherwise: batches of spans every 5 s, metrics every 60 s, every trace sampled.
  tracing: await startServe(settings('ledger-tracing.db', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url })),
};
const VARIANTS = ['without', 'with', 'tracing'] as const;
const LABELS: Record<(typeof VARIANTS)[number], string> = { without: 'without metrics', with: 'with metrics', tracing: 'tracing on (OTLP)' };
const token = await mintCalloutToken(emulator.tenant, { audience: APP_ID, now: Date.now() });
const identity = { tenantId: emulator.tenant.tenantId, appId: APP_ID, certificatePem: key.certificatePem };
const bodies = await Promise.all(Array.from({ length: 100 }, (_, i) => calloutBody(identity, 'bcrypt@bench.example', PASSWORD, i)));

const latencies: Record<keyof typeof servers, number[]> = { without: [], with: [], tracing: [] };
const cpu: Record<keyof typeof servers, number> = { without: 0, with: 0, tracing: 0 };
for (const server of Object.values(servers)) for (let i = 0; i < 10; i++) await call(server.url, token, bodies[i]!);
for (let round = 0; round < ROUNDS; round++) {
  for (const name of VARIANTS) {
    const server = servers[name];
    const before = cpuTimeInMs(server.child.pid!);
    const results = await openLoop(RATE, RATE * SECONDS, (i) => call(server.url, token, bodies[i % bodies.length]!));
    cpu[name] += cpuTimeInMs(server.child.pid!) - before;
    latencies[name].push(...results.map((result) => result.ms));
  }
}
for (const name of VARIANTS) {
  const latency = percentiles(latencies[name]);
  console.log(
    `serve ${LABELS[name]}, bcrypt cost 6, ${RATE} req/s × ${SECONDS} s × ${ROUNDS}  |  p50 ${fixed(latency.p50)} ms, p99 ${fixed(latency.p99)} ms  |  CPU ${fixed(cpu[name] / latencies[name].length, 2)} ms/request`,
  );
}

const scrapes: number[] = [];
for (let i = 0; i < 50; i++) {
  const started = performance.now();
  const response = await fetch(`${servers.with.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  await response.text();
  scrapes.push(performance.now() - started);
}
const scrape = percentiles(scrapes);
console.log(`GET /metrics  |  p50 ${fixed(scrape.p50)} ms, p99 ${fixed(scrape.p99)} ms`);

await servers.without.stop();
await servers.with.stop();
await servers.tracing.stop();
// What the tracing server sent: its spans left in batches, all of them before its SIGTERM drain ended.
const traceExports = receiver.exports.filter((entry) => entry.path === '/v1/traces');
const callouts = ROUNDS * RATE * SECONDS + 10;
const spansSent = traceExports.reduce((count, entry) => count + countOccurrences(entry.body, 'entra.correlation_id'), 0);
console.log(`OTLP receiver  |  ${traceExports.length} trace exports, ${spansSent} callout spans for ${callouts} callouts, ${fixed(traceExports.reduce((bytes, entry) => bytes + entry.body.length, 0) / Math.max(1, spansSent), 0)} bytes a callout`);
await receiver.close();
await emulator.close();
await rm(dir, { recursive: true, force: true });

function countOccurrences(haystack: Buffer, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}
