/**
 * `npm run bench:thread-pool`: what libuv's thread pool size does to the password checks and to the callout's own
 * crypto, each figure from a child process started with its own UV_THREADPOOL_SIZE (libuv reads it once, at start).
 *
 * 1. bcrypt-10 verifications per second through the verifier with the pool at 1 and 2 threads (every thread hashing),
 *    and at the size the launcher picks on this machine (max(4, cores + 2), src/common/thread-pool-size.cts) with the
 *    verifier's own gate: verifications/s grow with the threads up to one per core.
 * 2. The password context's decryption (RSA-OAEP unwrap and content decryption on the pool, as a callout does it)
 *    timed while bcrypt checks keep every hashing lane busy: with no thread spare it waits for a hash to finish; with
 *    one spare it does not — until something else holds that thread (a getaddrinfo stuck on a resolver, stood in for
 *    here by opening a FIFO no one writes to); with two spare (the rule), it still does not.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import threadPool from '../src/common/thread-pool-size.cjs';
import { encryptPasswordContext } from '../src/emulator/index.js';
import { createPasswordVerifier } from '../src/legacy/hashes/index.js';
import { decryptPasswordContext, generateDecryptionKey, loadKeyRing } from '../src/security/index.js';
import { fixed, percentiles } from './measure.js';

/** One child's work: its pool, how many checks the gate lets run, and what it measures. */
interface Scenario {
  label: string;
  poolSize: number;
  /** The gate's concurrency; undefined: the verifier's default for the pool in effect. */
  hashingLanes?: number;
  kind: 'throughput' | 'decrypt';
  /** decrypt only: keep every hashing lane busy with bcrypt meanwhile. */
  hashLoad?: boolean;
  /** decrypt only: pool threads held by blocking calls that never return while it runs. */
  stalledCalls?: number;
}

interface ChildResult {
  lanes: number;
  perSecond?: number;
  /** CPU time the child used over the window ÷ the window: the cores it actually got. */
  coresUsed?: number;
  decryptInMs?: { p50: number; p99: number; max: number; samples: number };
}

const SELF = fileURLToPath(import.meta.url);
const COST = 10;
/** Measured window per child, after a warm-up of WARM_UP_IN_MS. */
const MEASURE_IN_MS = 4000;
const WARM_UP_IN_MS = 500;
/** One decryption this often while the hashes run: 20 a second, under Entra's 50 so each sample stands alone. */
const DECRYPT_EVERY_IN_MS = 50;
const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function child(scenario: Scenario): Promise<ChildResult> {
  const verifier = createPasswordVerifier(scenario.hashingLanes === undefined ? {} : { concurrency: scenario.hashingLanes });
  const lanes = scenario.hashingLanes ?? threadPool.hashingLanes(threadPool.threadPoolSizeInEffect(), threadPool.usableCores());
  const stored = { hash: await bcryptHash('right password', COST) };
  let stop = false;
  let counted = 0;
  let counting = false;
  // Three checks per lane in flight: the gate is never idle, its queue never long enough to refuse.
  const hashing = scenario.kind === 'throughput' || scenario.hashLoad
    ? Array.from({ length: lanes * 3 }, async () => {
        while (!stop) {
          if (await verifier.verify('wrong password', stored)) throw new Error('a wrong password matched');
          if (counting) counted++;
        }
      })
    : [];

  let result: ChildResult = { lanes };
  if (scenario.kind === 'throughput') {
    await sleep(WARM_UP_IN_MS);
    counting = true;
    const started = performance.now();
    const cpuAtStart = process.cpuUsage();
    await sleep(MEASURE_IN_MS);
    counting = false;
    const cpu = process.cpuUsage(cpuAtStart);
    const elapsedInMs = performance.now() - started;
    result = { lanes, perSecond: (counted * 1000) / elapsedInMs, coresUsed: (cpu.user + cpu.system) / 1000 / elapsedInMs };
  } else {
    const key = await generateDecryptionKey();
    const keyRing = loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'bench' }]);
    const jwe = await encryptPasswordContext({ certificatePem: key.certificatePem, appId: APP_ID, resourceHost: 'auth.contoso.example', password: 'right password', username: 'ada@contoso.example', nonce: 'n', now: Date.now() });
    const fifoDirectory = mkdtempSync(join(tmpdir(), 'stalled-'));
    const fifos = Array.from({ length: scenario.stalledCalls ?? 0 }, (_, i) => join(fifoDirectory, `call-${i}`));
    for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
    const stalled = fifos.map((fifo) => open(fifo, 'r')); // each holds a pool thread until a writer comes
    for (let i = 0; i < 3; i++) await decryptPasswordContext(jwe, { keyRing, expectedAudience: APP_ID, requestHost: 'auth.contoso.example', now: Date.now() }); // compiled and cached before timing
    await sleep(WARM_UP_IN_MS);
    const latencies: number[] = [];
    const until = performance.now() + MEASURE_IN_MS;
    while (performance.now() < until) {
      const started = performance.now();
      await decryptPasswordContext(jwe, { keyRing, expectedAudience: APP_ID, requestHost: 'auth.contoso.example', now: Date.now() });
      latencies.push(performance.now() - started);
      await sleep(Math.max(0, DECRYPT_EVERY_IN_MS - (performance.now() - started)));
    }
    const writers = fifos.map((fifo) => openSync(fifo, 'r+')); // a FIFO opened read-write never blocks: the stalled opens return
    for (const handle of await Promise.all(stalled)) await handle.close();
    for (const fd of writers) closeSync(fd);
    rmSync(fifoDirectory, { recursive: true, force: true });
    result = { lanes, decryptInMs: { ...percentiles(latencies), samples: latencies.length } };
  }
  stop = true;
  await Promise.all(hashing);
  await verifier.close();
  return result;
}

async function runChild(scenario: Scenario): Promise<ChildResult> {
  const env = { ...process.env, UV_THREADPOOL_SIZE: String(scenario.poolSize) };
  const processChild = spawn(process.execPath, ['--import', 'tsx', SELF, '--child', JSON.stringify(scenario)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  processChild.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => processChild.once('close', resolve));
  if (code !== 0) throw new Error(`${scenario.label}: the child exited with ${code}`);
  return JSON.parse(output.trim().split('\n').at(-1)!) as ChildResult;
}

if (process.argv[2] === '--child') {
  const result = await child(JSON.parse(process.argv[3]!) as Scenario);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

const cores = threadPool.usableCores();
const ruleSize = threadPool.threadPoolSizeFor(cores);
console.log(`# thread pool — node ${process.version}, ${availableParallelism()} cores (${cores} usable), the rule's pool here: ${ruleSize} threads; load average at start ${loadavg()[0]!.toFixed(2)} (other work on the machine lowers every figure)\n`);

/** Rounds of the throughput runs, alternating the pool sizes, so that other work on the machine falls on each alike. */
const ROUNDS = 3;
console.log(`## bcrypt-${COST} verifications per second through the verifier (${MEASURE_IN_MS / 1000} s each, three checks per lane in flight, ${ROUNDS} rounds alternating)\n`);
console.log('| UV_THREADPOOL_SIZE | checks at once | verifications/s, each round | median | cores used (CPU time ÷ wall time), median |\n|---|---|---|---|---|');
const throughputs: Scenario[] = [
  { label: 'pool 1', poolSize: 1, hashingLanes: 1, kind: 'throughput' },
  { label: 'pool 2', poolSize: 2, hashingLanes: 2, kind: 'throughput' },
  { label: `pool ${ruleSize} (the rule), the verifier's own gate`, poolSize: ruleSize, kind: 'throughput' },
];
const rounds = throughputs.map(() => [] as ChildResult[]);
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, scenario] of throughputs.entries()) rounds[i]!.push(await runChild(scenario));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const [i, scenario] of throughputs.entries()) {
  const results = rounds[i]!;
  console.log(`| ${scenario.poolSize}${scenario.hashingLanes === undefined ? ' (the rule, the gate\'s default)' : ''} | ${results[0]!.lanes} | ${results.map((result) => fixed(result.perSecond!, 1)).join(', ')} | ${fixed(median(results.map((result) => result.perSecond!)), 1)} | ${fixed(median(results.map((result) => result.coresUsed!)), 2)} |`);
}

console.log(`\n## the password context's decryption (RSA-OAEP unwrap + content decryption), one every ${DECRYPT_EVERY_IN_MS} ms for ${MEASURE_IN_MS / 1000} s, in ms\n`);
console.log('| UV_THREADPOOL_SIZE | checks at once | bcrypt load | blocking calls stalled on the pool | p50 | p99 | max | samples |\n|---|---|---|---|---|---|---|---|');
const lanes = threadPool.hashingLanes(ruleSize, cores);
const decrypts: Scenario[] = [
  { label: 'idle', poolSize: ruleSize, kind: 'decrypt' },
  { label: 'no spare thread', poolSize: lanes, hashingLanes: lanes, kind: 'decrypt', hashLoad: true },
  { label: 'one spare thread', poolSize: lanes + 1, hashingLanes: lanes, kind: 'decrypt', hashLoad: true },
  { label: 'one spare thread, held by a stalled call', poolSize: lanes + 1, hashingLanes: lanes, kind: 'decrypt', hashLoad: true, stalledCalls: 1 },
  { label: 'two spare threads, one held by a stalled call', poolSize: Math.max(lanes + 2, ruleSize), hashingLanes: lanes, kind: 'decrypt', hashLoad: true, stalledCalls: 1 },
];
for (const scenario of decrypts) {
  const result = await runChild(scenario);
  const d = result.decryptInMs!;
  console.log(`| ${scenario.poolSize} | ${result.lanes} | ${scenario.hashLoad ? 'every lane busy' : 'none'} | ${scenario.stalledCalls ?? 0} | ${fixed(d.p50, 2)} | ${fixed(d.p99, 2)} | ${fixed(d.max, 2)} | ${d.samples} |`);
}
