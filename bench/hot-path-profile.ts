/**
 * Where the cheap OnPasswordSubmit path spends its CPU (issue 15, "The hot path"): `node --import tsx
 * bench/hot-path-profile.ts` after `npm run build`.
 *
 * 1. The crypto floor, each part alone in this process: password-context decryption (RSA-OAEP + A128CBC-HS256),
 *    caller-token verification (RS256, cached keys) and a bcrypt cost-4 verification. CPU ms per operation from
 *    process.cpuUsage(), so the thread-pool time of bcrypt counts as it does in the server.
 * 2. A real `serve` (dist/, a child process) with a bcrypt-4 legacy store, the SQLite ledger, the attempt limit off
 *    and no METRICS_TOKEN, driven by wrk (bench/wrk.ts; Debian's `wrk`, as issue 15 measures) with
 *    HOT_PATH_CONCURRENCY connections: after 5 s of warm-up, three 10-second rounds, CPU ms per callout from /proc
 *    (every thread), without a profiler; the median round is the figure. Then 50 callouts/s for the latency target,
 *    twice: by wrk on one connection, pausing after each answer (one callout at a time, a C client's timing), and
 *    open-loop from this process (evenly spaced whatever the answers take, so callouts may overlap), next to a
 *    /healthz round trip timed the same way: that client's own share of each figure. Without wrk, a closed loop from
 *    this process replaces wrk (it shares the cores with the server, and its figures say so).
 * 3. The same server again under `--cpu-prof` and the same load; the profile's samples inside the load window
 *    (V8's and this process's clocks are both CLOCK_MONOTONIC) are grouped by module and by function, self and
 *    inclusive, in ms per callout. V8 samples the main thread's stack whether or not it holds a core, so on a busy
 *    machine (2 cores shared with the pool threads and this driver) a figure is main-thread time not idle, somewhat
 *    above its CPU: read them as shares, and the CPU figures of (1) and (2) as the totals.
 *
 * Settings: HOT_PATH_CALLOUTS (default 3000, the profiled run's and the fallback's callouts), HOT_PATH_CONCURRENCY
 * (default 16), HOT_PATH_WRK=0 (the closed loop from this process even where wrk is installed), HOT_PATH_PROFILE_DIR
 * (keep the .cpuprofile there, and the temporary directory, instead of removing them), HOT_PATH_PROFILE=0 (stop
 * after (2)), HOT_PATH_HASH=sha1 (a salted SHA-1 account instead of bcrypt-4: the server's own work with next to no
 * hash), HOT_PATH_SERVE_ENV (JSON of settings added to serve's). `(alternative)` lines time the JWE decryption done
 * otherwise (jose's WebCrypto path, which serve used before), for comparison.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compactDecrypt } from 'jose';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import Database from 'better-sqlite3';
import { encryptPasswordContext, mintCalloutToken, startEmulator } from '../src/emulator/index.js';
import { constants, createHash, generateKeyPairSync, privateDecrypt, sign, verify } from 'node:crypto';
import { decryptJweContent, jweParts } from '../src/security/jwe-content.js';
import { createPasswordVerifier } from '../src/legacy/hashes/index.js';
import { createCallerTokenVerifier, createSigningKeySource, decryptPasswordContext, generateDecryptionKey, loadKeyRing } from '../src/security/index.js';
import { call, calloutBody, leanCall, openLoop, startServe, tally, type RunningServe } from './callouts.js';
import { cpuTimeInMs, fixed, percentiles, throughput } from './measure.js';
import { prepareWrk, wrkAvailable } from './wrk.js';

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const PASSWORD = 'Bench-Mark-Password-1!';
const USERNAME = 'cheap@bench.example';
const CALLOUTS = Number(process.env.HOT_PATH_CALLOUTS ?? 3000);
const CONCURRENCY = Number(process.env.HOT_PATH_CONCURRENCY ?? 16);

/** CPU ms (user + system, every thread of this process) per call of `work`, run `count` times one after another. */
async function cpuPerOperation(count: number, work: () => Promise<unknown>): Promise<{ cpuMs: number; wallMs: number }> {
  for (let i = 0; i < Math.min(50, count); i++) await work(); // warm-up: JIT, caches, the thread pool
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) await work();
  const wallMs = (performance.now() - t0) / count;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMs: (cpu.user + cpu.system) / 1000 / count, wallMs };
}

const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/**
 * The parts of the request the brief asks about, each a test on one stack frame (`function url`); a sample counts
 * for a part when any frame of its stack matches, so the parts overlap (RS256 inside fastify's hooks, for example).
 */
const PARTS: ReadonlyArray<[string, RegExp]> = [
  ['JWE decryption (password-context.ts: privateDecrypt, jwe-content.ts, inflate)', /security\/(password-context|jwe-content)\.js/],
  ['  RSA-OAEP key unwrap (node:crypto privateDecrypt)', /^unwrapLocally /],
  ['  content decryption and inflate (jwe-content.ts)', /^decryptJweContent /],
  ['caller token (RS256 verify, claims)', /caller-token\.js/],
  ['bcrypt verify call (main-thread side)', /hashes\/formats\/bcrypt\.js/],
  ['legacy store lookup (SQLite)', /legacy\/stores\/sql\//],
  ['ledger write (SQLite, onOutcome)', /^recordDecision .*ledger/],
  ['logging (pino, redact, sonic-boom)', /node_modules\/(pino|@pinojs|sonic-boom|fast-redact)\//],
  ['telemetry spans (callout-spans)', /telemetry\//],
  ['metrics (prom-client, src/metrics)', /prom-client|\/metrics\//],
  ['zod parsing', /node_modules\/zod\//],
  ['JSON.parse of the body (secure-json-parse)', /secure-json-parse/],
  ['answer serialisation (fast-json-stringify, serializers)', /fast-json-stringify|^serialize /],
  ['fastify routing and hooks (all of it)', /node_modules\/(fastify|find-my-way|avvio|light-my-request)\//],
  ['deadline timers (setTimeout, clearTimeout, timers)', /^(setTimeout|clearTimeout|setUnrefTimeout) |node:internal\/timers|node:timers/],
  ['HTTP parse and write (node:_http_*, net, writev)', /node:_http_|node:net|^writev |^writeString |stream_base_commons/],
  ['thread-pool bookkeeping (admission, verifier queue)', /hashes\/(admission|verifier)\.js/],
  ['garbage collector', /^\(garbage collector\) /],
];

console.log(`# hot-path profile — node ${process.version}, ${availableParallelism()} cores, ${CALLOUTS} callouts per run, ${CONCURRENCY} in flight\n`);

const emulator = await startEmulator({ port: 0 });
const key = await generateDecryptionKey();
const keyRing = loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'bench' }]);
const bcrypt4 = await bcryptHash(PASSWORD, 4);

console.log('## Crypto floor (each alone, this process)\n');
const jwes = await Promise.all(
  Array.from({ length: 50 }, (_, i) => encryptPasswordContext({ certificatePem: key.certificatePem, appId: APP_ID, resourceHost: 'bench.example', password: PASSWORD, username: USERNAME, nonce: `n${i}`, now: Date.now() })),
);
let j = 0;
const decryption = await cpuPerOperation(1000, () => decryptPasswordContext(jwes[j++ % jwes.length]!, { keyRing, expectedAudience: APP_ID, now: Date.now() }));
const keySource = createSigningKeySource({ openIdConfigurationUrls: [emulator.openIdConfigurationUrl] });
const tokenVerifier = createCallerTokenVerifier({ tenantId: emulator.tenant.tenantId, extensionAppId: APP_ID, keySource });
const authorization = `Bearer ${await mintCalloutToken(emulator.tenant, { audience: APP_ID, now: Date.now() })}`;
const tokenCheck = await cpuPerOperation(5000, () => tokenVerifier.verify(authorization));
const passwordVerifier = createPasswordVerifier();
let primitives = Number.NaN;
const bcryptCheck = await cpuPerOperation(1000, () => passwordVerifier.verify(PASSWORD, { hash: bcrypt4 }));
await passwordVerifier.close();
console.log(`decrypt password context (RSA-OAEP 2048 + A128CBC-HS256): ${fixed(decryption.cpuMs, 3)} CPU-ms (${fixed(decryption.wallMs, 3)} ms wall)`);
console.log(`verify caller token (RS256, cached keys):               ${fixed(tokenCheck.cpuMs, 3)} CPU-ms (${fixed(tokenCheck.wallMs, 3)} ms wall)`);
console.log(`verify bcrypt cost 4 (thread pool):                     ${fixed(bcryptCheck.cpuMs, 3)} CPU-ms (${fixed(bcryptCheck.wallMs, 3)} ms wall)`);
{
  // The same decryption without WebCrypto: RSA-OAEP by node:crypto on the calling thread, the content by
  // jwe-content.ts (already used for Key Vault keys): what moving local keys off jose's compactDecrypt would save.
  const privateKey = keyRing.keys[0]!.privateKey!;
  const direct = await cpuPerOperation(1000, async () => {
    const parts = jweParts(jwes[j++ % jwes.length]!)!;
    const contentKey = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, parts.encryptedKey);
    return decryptJweContent(parts, contentKey, 1 << 16);
  });
  const rsaOaep = await cpuPerOperation(1000, async () => privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, jweParts(jwes[j++ % jwes.length]!)!.encryptedKey));
  const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingInput = Buffer.from(authorization.slice('Bearer '.length).split('.').slice(0, 2).join('.'));
  const signature = sign('sha256', signingInput, signer.privateKey);
  const rs256 = await cpuPerOperation(5000, async () => verify('sha256', signingInput, signer.publicKey, signature));
  primitives = rsaOaep.cpuMs + rs256.cpuMs + bcryptCheck.cpuMs;
  console.log(`(primitive) RSA-OAEP 2048 unwrap alone, node:crypto privateDecrypt: ${fixed(rsaOaep.cpuMs, 3)} CPU-ms`);
  console.log(`(primitive) RS256 verify alone, node:crypto verify:               ${fixed(rs256.cpuMs, 3)} CPU-ms`);
  const cryptoKey = await crypto.subtle.importKey('pkcs8', privateKey.export({ format: 'der', type: 'pkcs8' }), { name: 'RSA-OAEP', hash: 'SHA-1' }, false, ['decrypt']);
  const joseOnceImported = await cpuPerOperation(1000, () => compactDecrypt(jwes[j++ % jwes.length]!, cryptoKey));
  console.log(`(alternative) jose compactDecrypt with a CryptoKey imported once:  ${fixed(joseOnceImported.cpuMs, 3)} CPU-ms (${fixed(joseOnceImported.wallMs, 3)} ms wall)`);
  console.log(`(alternative) the same JWE by node:crypto privateDecrypt + jwe-content.ts: ${fixed(direct.cpuMs, 3)} CPU-ms (${fixed(direct.wallMs, 3)} ms wall, on the event loop)`);
}
const floor = decryption.cpuMs + tokenCheck.cpuMs + bcryptCheck.cpuMs;
console.log(`floor as the server does it (password-context decryption + token verifier + bcrypt-4): ${fixed(floor, 2)} CPU-ms per callout`);
console.log(`floor of the primitives (RSA-OAEP + RS256 + bcrypt-4, as issue 15 counts it): ${fixed(primitives, 2)} CPU-ms per callout\n`);

const dir = await mkdtemp(join(tmpdir(), 'entra-migrate-hot-path-'));
const keyPath = join(dir, 'key.pem');
await writeFile(keyPath, key.privateKeyPem + key.certificatePem, { mode: 0o600 });
const legacyPath = join(dir, 'legacy.db');
const legacy = new Database(legacyPath);
legacy.exec('CREATE TABLE users (email TEXT PRIMARY KEY, password_hash TEXT NOT NULL, scheme TEXT, salt TEXT)');
// HOT_PATH_HASH=sha1: a salted SHA-1 hash instead (microseconds), so nearly all the server's CPU is its own work.
const storedHash = process.env.HOT_PATH_HASH === 'sha1' ? `sha1$s4lt$${createHash('sha1').update(`s4lt${PASSWORD}`).digest('hex')}` : bcrypt4;
legacy.prepare('INSERT INTO users VALUES (?, ?, ?, ?)').run(USERNAME, storedHash, null, null);
legacy.close();

const token = await mintCalloutToken(emulator.tenant, { audience: APP_ID, now: Date.now() });
const identity = { tenantId: emulator.tenant.tenantId, appId: APP_ID, certificatePem: key.certificatePem };
const bodies = await Promise.all(Array.from({ length: 200 }, (_, i) => calloutBody(identity, USERNAME, PASSWORD, i)));

/** The settings of a serve as the brief asks: bcrypt-4 store, SQLite ledger, attempt limit off, no metrics token. */
const serveEnv = (run: string, extra: Record<string, string> = {}): Record<string, string> => ({
  ENTRA_TENANT_ID: emulator.tenant.tenantId,
  ENTRA_EXTENSION_APP_ID: APP_ID,
  ENTRA_OPENID_CONFIGURATION_URL: emulator.openIdConfigurationUrl,
  JIT_DECRYPTION_KEY_FILE: keyPath,
  LEGACY_DATABASE_URL: `sqlite://${legacyPath}`,
  LEGACY_USER_QUERY: 'SELECT password_hash, scheme, salt FROM users WHERE email = :username',
  LEDGER_DATABASE_URL: `sqlite://${join(dir, `ledger-${run}.db`)}`,
  ATTEMPT_LIMIT_PER_ACCOUNT: '0',
  ...(JSON.parse(process.env.HOT_PATH_SERVE_ENV ?? '{}') as Record<string, string>),
  ...extra,
});

const USE_WRK = process.env.HOT_PATH_WRK !== '0' && wrkAvailable();
if (!USE_WRK) console.log(process.env.HOT_PATH_WRK === '0' ? '(HOT_PATH_WRK=0: the load comes from this process)\n' : '(wrk is not installed — `apt-get install wrk`: the load comes from this process, which shares the cores with the server; its figures are above what wrk measures)\n');

interface Drive {
  cpuMs: number;
  perSecond: number;
  startedAt: number;
  endedAt: number;
  actions: string;
}

/** `seconds` of wrk with CONCURRENCY connections; CPU of the child (all threads) per callout. */
async function driveWithWrk(server: RunningServe, seconds: number): Promise<Drive> {
  const wrk = await prepareWrk({ dir, url: server.url, path: '/events/password-submit', token, bodies });
  const cpuBefore = cpuTimeInMs(server.child.pid!);
  const startedAt = monotonicMicros();
  const run = await wrk({ connections: CONCURRENCY, seconds });
  const endedAt = monotonicMicros();
  return { cpuMs: (cpuTimeInMs(server.child.pid!) - cpuBefore) / run.requests, perSecond: run.perSecond, startedAt, endedAt, actions: run.actions };
}

/** Warm-up, then CALLOUTS closed-loop with CONCURRENCY in flight from this process; CPU of the child (all threads) per callout. */
async function drive(server: RunningServe): Promise<Drive> {
  if (USE_WRK) {
    await driveWithWrk(server, 5);
    return driveWithWrk(server, 10);
  }
  let k = 0;
  await throughput(300, CONCURRENCY, () => call(server.url, token, bodies[k++ % bodies.length]!));
  const actions: string[] = [];
  const cpuBefore = cpuTimeInMs(server.child.pid!);
  const startedAt = monotonicMicros();
  const run = await throughput(CALLOUTS, CONCURRENCY, async () => actions.push((await call(server.url, token, bodies[k++ % bodies.length]!)).action));
  const endedAt = monotonicMicros();
  return { cpuMs: (cpuTimeInMs(server.child.pid!) - cpuBefore) / CALLOUTS, perSecond: run.perSecond, startedAt, endedAt, actions: tally(actions) };
}

console.log('## serve (dist/), bcrypt-4 store, no profiler\n');
{
  const server = await startServe(serveEnv('plain'));
  // The first seconds after start are compilation and start-up garbage, not what an idle server costs.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const idleBefore = cpuTimeInMs(server.child.pid!);
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const idlePerSecond = (cpuTimeInMs(server.child.pid!) - idleBefore) / 5;
  console.log(`idle: ${fixed(idlePerSecond, 1)} CPU-ms per second with no callouts (${fixed(idlePerSecond / 50, 2)} ms per callout at 50/s)`);
  const describe = (run: Drive) =>
    `${fixed(run.perSecond, 0)} callouts/s, ${fixed(run.cpuMs, 2)} CPU-ms per callout (${fixed(run.cpuMs / floor, 2)}× the server's floor, ${fixed(run.cpuMs / primitives, 2)}× the primitives', ${fixed(run.cpuMs - primitives, 2)} ms above them); ${run.actions}`;
  if (USE_WRK) {
    await driveWithWrk(server, 5); // warm-up: the JIT, the caches, the ledger's pages
    const rounds: Drive[] = [];
    for (let round = 1; round <= 3; round++) {
      rounds.push(await driveWithWrk(server, 10));
      console.log(`wrk, ${CONCURRENCY} connections, round ${round} (10 s): ${describe(rounds.at(-1)!)}`);
    }
    const median = [...rounds].sort((a, b) => a.cpuMs - b.cpuMs)[1]!;
    console.log(`${CONCURRENCY} in flight, the median round: ${fixed(median.cpuMs, 2)} CPU-ms per callout, ${fixed(median.cpuMs / primitives, 2)}× the primitives' floor (issue 15: ≤ 1.3×)\n`);
    // One callout at a time, about 50 a second: the pause after each answer is 20 ms less the answer's time.
    const wrk = await prepareWrk({ dir, url: server.url, path: '/events/password-submit', token, bodies });
    const probe = await wrk({ connections: 1, seconds: 2, pauseInMs: 17 });
    const pauseInMs = Math.max(1, Math.round(20 - probe.p50));
    const cpuBefore = cpuTimeInMs(server.child.pid!);
    const paced = await wrk({ connections: 1, seconds: 10, pauseInMs });
    const cpuPaced = (cpuTimeInMs(server.child.pid!) - cpuBefore) / paced.requests;
    console.log(`wrk, 1 connection, ${pauseInMs} ms after each answer (${fixed(paced.perSecond, 1)} callouts/s × 10 s): p50 ${fixed(paced.p50, 2)} ms, p99 ${fixed(paced.p99, 2)} ms, max ${fixed(paced.max, 1)} ms; ${fixed(cpuPaced, 2)} CPU-ms per callout (${fixed(cpuPaced / primitives, 2)}× the primitives'); ${paced.actions}`);
  } else {
    console.log(`${CONCURRENCY} in flight: ${describe(await drive(server))}`);
  }
  // Open loop from this process: 50 a second, evenly spaced, whatever the answers take (Entra does not wait).
  let k = 0;
  const cpuBefore = cpuTimeInMs(server.child.pid!);
  const results = await openLoop(50, 500, () => leanCall(server.url, token, bodies[k++ % bodies.length]!));
  const cpuAt50 = (cpuTimeInMs(server.child.pid!) - cpuBefore) / 500;
  const latency = percentiles(results.map((result) => result.ms));
  const probes = percentiles(await openLoop(50, 500, () => leanCall(server.url, token, undefined)).then((probed) => probed.map((result) => result.ms)));
  console.log(`open loop from this process, 50 callouts/s × 10 s: p50 ${fixed(latency.p50, 2)} ms, p99 ${fixed(latency.p99, 2)} ms, max ${fixed(latency.max, 1)} ms; ${fixed(cpuAt50, 2)} CPU-ms per callout (${fixed(cpuAt50 / floor, 2)}× the server's floor, ${fixed(cpuAt50 / primitives, 2)}× the primitives')`);
  console.log(`  the same client's GET /healthz at 50/s (its own share): p50 ${fixed(probes.p50, 2)} ms, p99 ${fixed(probes.p99, 2)} ms, max ${fixed(probes.max, 1)} ms\n`);
  await server.stop();
}

if (process.env.HOT_PATH_PROFILE === '0') {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}
console.log('## serve under --cpu-prof (main thread only; ms per callout)\n');
const profileDir = process.env.HOT_PATH_PROFILE_DIR ?? join(dir, 'prof');
await mkdir(profileDir, { recursive: true });
const before = new Set(await readdir(profileDir));
const profiled = await startProfiledServe(serveEnv('profiled'), profileDir);
const window = await drive(profiled);
await profiled.stop();
const written = (await readdir(profileDir)).filter((name) => name.endsWith('.cpuprofile') && !before.has(name));
if (written.length !== 1) throw new Error(`expected one new .cpuprofile in ${profileDir}, found ${written.length}`);
console.log(`profiled run: ${fixed(window.perSecond, 0)} callouts/s, ${fixed(window.cpuMs, 2)} CPU-ms per callout with the profiler on; profile ${join(profileDir, written[0]!)}\n`);
printBreakdown(JSON.parse(await readFile(join(profileDir, written[0]!), 'utf8')) as CpuProfile, window.startedAt, window.endedAt, CALLOUTS);

await emulator.close();
if (!process.env.HOT_PATH_PROFILE_DIR) await rm(dir, { recursive: true, force: true });

/**
 * `entra-migrate serve` under `node --cpu-prof` (not allowed in NODE_OPTIONS, so not through startServe): the same
 * environment and log handling, reduced to what this script reads. The profile is written when it exits on SIGTERM.
 */
async function startProfiledServe(env: Record<string, string>, profileDir: string): Promise<RunningServe> {
  const bin = fileURLToPath(new URL('../bin/entra-migrate.js', import.meta.url));
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, bin, 'serve'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let pending = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const address = (JSON.parse(line) as { address?: string }).address;
        if (address) resolve(address);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.on('exit', () => child.kill('SIGKILL'));
  return { child, url, log: [], stop: async () => { child.kill('SIGTERM'); await exited; } };
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** `fastify`, `@node-rs/bcrypt`, `src/ledger/sqlite-ledger.js`, `node:internal/streams`, or `(garbage collector)`. */
function moduleOf(frame: CpuProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : `(native) ${functionName || 'anonymous'}`;
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inPackage) return inPackage[1]!;
  const ours = /\/dist\/(.+)$/.exec(url);
  if (ours) return `src/${ours[1]}`;
  if (url.startsWith('node:internal/')) return url.split('/').slice(0, 3).join('/');
  return url;
}

/**
 * Self and inclusive time of the samples between `from` and `to` (µs, CLOCK_MONOTONIC): by module, and by
 * function. Inclusive counts a sample once per module on its stack, so it answers "what would vanish with X".
 */
function printBreakdown(profile: CpuProfile, from: number, to: number, callouts: number): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const inWindow = profile.startTime <= from && to <= profile.endTime;
  if (!inWindow) console.log(`(the load window is outside the profile's clock — counting the whole profile)`);
  const selfByModule = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusiveByModule = new Map<string, number>();
  const inclusiveByPart = new Map<string, number>();
  const add = (map: Map<string, number>, name: string, us: number) => map.set(name, (map.get(name) ?? 0) + us);
  let at = profile.startTime;
  let busy = 0;
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i]!;
    const us = profile.timeDeltas[i + 1] ?? 0;
    if (inWindow && (at < from || at > to)) continue;
    total += us;
    const leaf = byId.get(profile.samples[i]!)!;
    if (leaf.callFrame.functionName === '(idle)') continue;
    busy += us;
    const leafModule = moduleOf(leaf.callFrame);
    add(selfByModule, leafModule, us);
    add(selfByFunction, `${leaf.callFrame.functionName || '(anonymous)'}  ${leafModule}:${leaf.callFrame.lineNumber + 1}`, us);
    const seen = new Set<string>();
    const parts = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parentOf.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (frame.functionName === '(root)') continue;
      const module = moduleOf(frame);
      if (!seen.has(module)) seen.add(module), add(inclusiveByModule, module, us);
      const described = `${frame.functionName} ${frame.url}`;
      for (const [part, test] of PARTS) if (!parts.has(part) && test.test(described)) parts.add(part), add(inclusiveByPart, part, us);
    }
  }
  const perCallout = (us: number) => fixed(us / 1000 / callouts, 3);
  console.log(`main thread: ${perCallout(busy)} ms busy per callout (${fixed((100 * busy) / total, 0)}% of the window)\n`);
  const top = (title: string, map: Map<string, number>, n: number) => {
    console.log(`| ${title} | ms/callout | share of busy |\n|---|---|---|`);
    for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`| ${name} | ${perCallout(us)} | ${fixed((100 * us) / busy, 1)}% |`);
    console.log('');
  };
  console.log(`| part (inclusive, overlapping) | ms/callout | share of busy |\n|---|---|---|`);
  for (const [part] of PARTS) console.log(`| ${part} | ${perCallout(inclusiveByPart.get(part) ?? 0)} | ${fixed((100 * (inclusiveByPart.get(part) ?? 0)) / busy, 1)}% |`);
  console.log('');
  top('self time by module', selfByModule, 25);
  top('inclusive time by module', inclusiveByModule, 40);
  top('self time by function', selfByFunction, 30);
}
