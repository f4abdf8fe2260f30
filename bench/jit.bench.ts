/**
 * `npm run bench`: what one OnPasswordSubmit costs, and what a server sustains.
 *
 * 1. In-process micro-benchmarks: password-context decryption, caller-token verification, hash verification per
 *    format, and the event loop's delay while a mixed hash load runs.
 * 2. The real server (`dist/`, a child process) behind the real emulator's keys: a fixed 50 requests/s (Entra's
 *    per-tenant cap) and saturation, for a cheap hash and for bcrypt cost 10, with latency percentiles and CPU
 *    time per request read from /proc.
 * 3. Overload: bcrypt cost 10 at four times the saturation throughput, open loop. Every answer must still leave
 *    within the deadline by the server's own clock (its request log's `latencyInMs`): the count over, and the max.
 */
import { availableParallelism } from 'node:os';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import Database from 'better-sqlite3';
import { encryptPasswordContext, mintCalloutToken, startEmulator } from '../src/emulator/index.js';
import { createPasswordVerifier } from '../src/legacy/hashes/index.js';
import { createCallerTokenVerifier, createSigningKeySource, decryptPasswordContext, generateDecryptionKey, loadKeyRing } from '../src/security/index.js';
import { call, calloutBody, openLoop, startServe, tally } from './callouts.js';
import { cpuTimeInMs, fixed, percentiles, throughput } from './measure.js';

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const PASSWORD = 'Bench-Mark-Password-1!';
const rows: string[][] = [];
const report = (...cells: string[]) => {
  rows.push(cells);
  console.log(cells.join('  |  '));
};

const emulator = await startEmulator({ port: 0 });
const key = await generateDecryptionKey();
const keyRing = loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'bench' }]);
const context = (nonce: string) =>
  encryptPasswordContext({ certificatePem: key.certificatePem, appId: APP_ID, resourceHost: 'bench.example', password: PASSWORD, username: 'u@bench.example', nonce, now: Date.now() });

console.log(`# entra-migrate bench — node ${process.version}, ${availableParallelism()} cores\n`);
console.log('## In-process\n');

{
  const jwes = await Promise.all(Array.from({ length: 50 }, (_, i) => context(`n${i}`)));
  let i = 0;
  const run = await throughput(500, 1, () => decryptPasswordContext(jwes[i++ % jwes.length]!, { keyRing, expectedAudience: APP_ID, now: Date.now() }));
  report('decrypt password context (RSA-OAEP 2048 + A128CBC-HS256 + DEF)', `${fixed(run.perSecond, 0)}/s sequential`, `p50 ${fixed(percentiles(run.latencies).p50, 2)} ms`);
  const parallel = await throughput(2000, 16, () => decryptPasswordContext(jwes[i++ % jwes.length]!, { keyRing, expectedAudience: APP_ID, now: Date.now() }));
  report('decrypt password context, 16 in flight', `${fixed(parallel.perSecond, 0)}/s`, `p99 ${fixed(percentiles(parallel.latencies).p99, 2)} ms`);
}
{
  const keySource = createSigningKeySource({ openIdConfigurationUrls: [emulator.openIdConfigurationUrl] });
  const verifier = createCallerTokenVerifier({ tenantId: emulator.tenant.tenantId, extensionAppId: APP_ID, keySource });
  const header = `Bearer ${await mintCalloutToken(emulator.tenant, { audience: APP_ID, now: Date.now() })}`;
  await verifier.verify(header);
  const run = await throughput(5000, 1, () => verifier.verify(header));
  report('verify caller token (RS256, cached JWKS)', `${fixed(run.perSecond, 0)}/s sequential`, `p50 ${fixed(percentiles(run.latencies).p50 * 1000, 0)} µs`);
}

const verifier = createPasswordVerifier();
const formats: Array<[string, string, number]> = [
  ['bcrypt $2b$ cost 10', await bcryptHash(PASSWORD, 10), 40],
  ['bcrypt $2y$ cost 12', await bcryptHash(PASSWORD, 12), 12],
  ['argon2id m=19456 t=2 p=1', await argon2Hash(PASSWORD, { memoryCost: 19456, timeCost: 2, parallelism: 1 }), 40],
  ['Django pbkdf2_sha256 600000', 'pbkdf2_sha256$600000$benchsalt$' + (await import('node:crypto')).pbkdf2Sync(PASSWORD, 'benchsalt', 600000, 32, 'sha256').toString('base64'), 12],
  ['sha512-crypt rounds=5000', '$6$rounds=5000$Zq2pV0xDemoSalt1$TW7BlCBtrZlJPonrQqK8lChZAYcFQjQpyAH5/vtwDx3nNnjndOgylpgB.xgMY82BoDEib5o1D810LOwytol/e1', 200],
];
for (const [name, hash, count] of formats) {
  const run = await throughput(count, availableParallelism() * 2, () => verifier.verify(PASSWORD, { hash }));
  report(`verify ${name}`, `${fixed(run.perSecond, 1)}/s (${availableParallelism() * 2} in flight)`, `p50 ${fixed(percentiles(run.latencies).p50)} ms`);
}
{
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  await throughput(120, 16, async () => {
    for (const [, hash] of formats) await verifier.verify(PASSWORD, { hash }).catch(() => undefined);
  });
  delay.disable();
  report('event-loop delay during the mixed hash load', `p50 ${fixed(delay.percentile(50) / 1e6, 2)} ms`, `p99 ${fixed(delay.percentile(99) / 1e6, 2)} ms, max ${fixed(delay.max / 1e6, 1)} ms`);
}
await verifier.close();

console.log('\n## The server (dist/, child process) behind the emulator\n');
const dir = await mkdtemp(join(tmpdir(), 'entra-migrate-bench-'));
const keyPath = join(dir, 'key.pem');
await writeFile(keyPath, key.privateKeyPem + key.certificatePem, { mode: 0o600 });
const legacy = new Database(join(dir, 'legacy.db'));
legacy.exec('CREATE TABLE users (email TEXT PRIMARY KEY, password_hash TEXT NOT NULL, scheme TEXT, salt TEXT)');
legacy.prepare('INSERT INTO users VALUES (?, ?, ?, ?)').run('cheap@bench.example', 'pbkdf2_sha256$1000$benchsalt$' + (await import('node:crypto')).pbkdf2Sync(PASSWORD, 'benchsalt', 1000, 32, 'sha256').toString('base64'), null, null);
legacy.prepare('INSERT INTO users VALUES (?, ?, ?, ?)').run('bcrypt@bench.example', await bcryptHash(PASSWORD, 10), null, null);
legacy.close();

const server = await startServe({
  ENTRA_TENANT_ID: emulator.tenant.tenantId,
  ENTRA_EXTENSION_APP_ID: APP_ID,
  ENTRA_OPENID_CONFIGURATION_URL: emulator.openIdConfigurationUrl,
  JIT_DECRYPTION_KEY_FILE: keyPath,
  LEGACY_DATABASE_URL: `sqlite://${join(dir, 'legacy.db')}`,
  LEGACY_USER_QUERY: 'SELECT password_hash, scheme, salt FROM users WHERE email = :username',
  LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger.db')}`,
});
const serverLog = server.log;
const token = await mintCalloutToken(emulator.tenant, { audience: APP_ID, now: Date.now() });
const identity = { tenantId: emulator.tenant.tenantId, appId: APP_ID, certificatePem: key.certificatePem };
const bodyFor = (username: string, i: number) => calloutBody(identity, username, PASSWORD, i);
const send = (bodies: readonly string[]) => (i: number) => call(server.url, token, bodies[i % bodies.length]!);

let bcryptSaturation = 0;
const plans = [
  { username: 'cheap@bench.example', label: 'cheap hash (pbkdf2 1000)', rates: [50], saturation: 3000 },
  { username: 'bcrypt@bench.example', label: 'bcrypt cost 10', rates: [25, 50], saturation: 300 },
];
for (const plan of plans) {
  const bodies = await Promise.all(Array.from({ length: 100 }, (_, i) => bodyFor(plan.username, i)));
  for (let i = 0; i < 10; i++) await call(server.url, token, bodies[i]!); // warm-up

  for (const rate of plan.rates) {
    const count = rate * 10;
    const cpuBefore = cpuTimeInMs(server.child.pid!);
    const results = await openLoop(rate, count, send(bodies));
    const cpuPerRequest = (cpuTimeInMs(server.child.pid!) - cpuBefore) / count;
    const latency = percentiles(results.map((result) => result.ms));
    report(
      `serve, ${plan.label}, ${rate} req/s × 10 s`,
      `p50 ${fixed(latency.p50)} ms, p99 ${fixed(latency.p99)} ms, max ${fixed(latency.max)} ms`,
      `CPU ${fixed(cpuPerRequest, 2)} ms/request; ${tally(results.map((result) => result.action))}`,
    );
  }

  const actions: string[] = [];
  let j = 0;
  const saturated = await throughput(plan.saturation, 16, async () => actions.push((await call(server.url, token, bodies[j++ % bodies.length]!)).action));
  const latency = percentiles(saturated.latencies);
  report(`serve, ${plan.label}, saturation (16 in flight)`, `${fixed(saturated.perSecond, 0)} req/s`, `p50 ${fixed(latency.p50)} ms, p99 ${fixed(latency.p99)} ms; ${tally(actions)}`);
  if (plan.username === 'bcrypt@bench.example') bcryptSaturation = saturated.perSecond;
}

{
  // Overload: four times what the server can verify. Most answers are "temporarily unavailable" Blocks sent at the
  // deadline; every one of them must leave before it by the server's own clock, or Entra has already given up.
  const deadlineInMs = 1500; // RESPONSE_DEADLINE_MS default
  const rate = Math.round(4 * bcryptSaturation);
  const seconds = Number(process.env.BENCH_OVERLOAD_SECONDS ?? 20);
  const bodies = await Promise.all(Array.from({ length: 100 }, (_, i) => bodyFor('bcrypt@bench.example', i)));
  const logged = serverLog.length;
  const results = await openLoop(rate, rate * seconds, send(bodies));
  await sleep(500); // the last request lines
  const lines = serverLog.slice(logged).filter((line) => line.msg === 'request' && line.path === '/events/password-submit');
  const served = lines.map((line) => line.latencyInMs!);
  const late = lines.filter((line) => line.latencyInMs! > deadlineInMs).map((line) => `${line.status} ${line.reason ?? line.code ?? ''}`.trim());
  const client = percentiles(results.map((result) => result.ms));
  report(
    `serve, bcrypt cost 10, overload 4× saturation (${rate} req/s × ${seconds} s)`,
    `${late.length} of ${served.length} answers left after the ${deadlineInMs} ms deadline (server clock)${late.length > 0 ? ` (${tally(late)})` : ''}, max ${fixed(Math.max(...served), 0)} ms`,
    `client p50 ${fixed(client.p50)} ms, p99 ${fixed(client.p99)} ms, max ${fixed(client.max)} ms; ${tally(results.map((result) => result.action))}`,
  );
}

await server.stop();
await emulator.close();
await rm(dir, { recursive: true, force: true });
console.log('\n| measurement | result | detail |\n|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
