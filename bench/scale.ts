/**
 * `npm run bench:scale` (issue 15, "Several replicas"): `serve` replicas (dist/, as deployed) behind Debian's nginx
 * on loopback, all with the PostgreSQL ledger and the attempt limits shared in Redis, driven closed loop with valid
 * callouts (bcrypt cost 4, so the server's work is measured rather than bcrypt's) by a separate driver process:
 * first one replica, then three. Per run: callouts/s, p50/p99, and where the CPU went (/proc: the replicas, nginx,
 * the driver, the PostgreSQL backends, Redis, the machine). On a machine with fewer cores than replicas the
 * throughput cannot triple; what must hold is the CPU per callout (three replicas ≈ one: the work per callout does not
 * grow with the replicas, so throughput grows with the cores given to them).
 *
 * Then the checks that fail the bench (exit 1): every answered callout in the ledger exactly once (read after the
 * replicas' graceful SIGTERM, once the count has settled); the attempt limit holding across replicas (a sequential
 * and a concurrent burst of wrong passwords for one account); a signing-key rotation costing each replica one
 * metadata and one JWKS fetch; and every callout of the load answered MigratePassword.
 *
 * Settings: SCALE_SECONDS (default 20, per run), SCALE_CONCURRENCY (callouts in flight, default 32), SCALE_BCRYPT10=1
 * (also runs with bcrypt cost 10, SCALE_BCRYPT10_CONCURRENCY in flight, default 6), SCALE_REDIS_TIMEOUT_MS (the
 * replicas' RATE_LIMIT_REDIS_TIMEOUT_MS, default 250, see below), SCALE_OUT (default /tmp/entra-migrate-scale/:
 * scale.json and scale.csv), SCALE_POSTGRES_URL (a database to connect to for creating the bench's own; default
 * postgres://postgres@127.0.0.1:5432/test), SCALE_REDIS_URL (default redis://127.0.0.1:6379).
 */
import Database from 'better-sqlite3';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { mintCalloutToken } from '../src/emulator/index.js';
import { generateDecryptionKey } from '../src/security/index.js';
import { fixed, percentiles } from './measure.js';
import { checkConcurrentBurst, checkKeyRotation, checkLedgerExactlyOnce, checkSequentialBurst, type CheckContext, type CheckResult } from './scale/checks.js';
import { cleanUp, cleanUpOnSignals, onCleanup } from './scale/cleanup.js';
import { cpuBetween, readCpu, type CpuReading } from './scale/cpu.js';
import { startDriver } from './scale/driver-process.js';
import { createBenchDatabase, settledDecisions } from './scale/ledger-database.js';
import { startNginx, type RunningNginx } from './scale/nginx.js';
import { startOpenIdStandIn } from './scale/openid-stand-in.js';
import { connectBenchRedis } from './scale/redis-attempts.js';
import { answeredBy, startReplica, takeWarnings, type Replica } from './scale/replicas.js';
import { figuresOf, printRuns, printScaling, scalingOfRuns, writeSummary, type RunFigures } from './scale/report.js';

const SECONDS = Number(process.env.SCALE_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.SCALE_CONCURRENCY ?? 32);
const WITH_BCRYPT10 = process.env.SCALE_BCRYPT10 === '1';
const BCRYPT10_CONCURRENCY = Number(process.env.SCALE_BCRYPT10_CONCURRENCY ?? 6);
/**
 * RATE_LIMIT_REDIS_TIMEOUT_MS of the replicas: 250 ms rather than the default 50, because on a machine shared with
 * other work a replica that was not scheduled for 50 ms takes Redis's answer for late and counts in its own memory
 * for 1 s (the documented degradation, but not what the burst checks test). SCALE_REDIS_TIMEOUT_MS=50 shows it.
 */
const REDIS_TIMEOUT_MS = process.env.SCALE_REDIS_TIMEOUT_MS ?? '250';
const OUT = process.env.SCALE_OUT ?? '/tmp/entra-migrate-scale/';
const POSTGRES_URL = process.env.SCALE_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.SCALE_REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!(SECONDS > 0 && CONCURRENCY >= 1 && BCRYPT10_CONCURRENCY >= 1)) throw new Error('SCALE_SECONDS, SCALE_CONCURRENCY and SCALE_BCRYPT10_CONCURRENCY must be positive numbers');

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const PASSWORD = 'Scale-Bench-Password-1!';
const WRONG = 'Wrong-Password-9?';
/** Set explicitly (it is the default) because the burst checks count against it. */
const ATTEMPT_LIMIT = 10;
/**
 * The load's accounts: each callout takes the next, so no account has two callouts in flight (each attempt is
 * counted before its check and cleared after a correct password; 32 at once on one account would hit the limit).
 */
const ACCOUNTS = 256;
/**
 * Warm-up callouts per replica before each measured window. A fresh replica's CPU per callout keeps falling over its
 * first thousand or so callouts (V8 optimising the path): after 300, the two replicas started for the 3-replica run
 * spent 2.80 and 2.73 CPU-ms per callout beside 2.35 for the replica already warm from the 1-replica run.
 */
const WARMUP_PER_REPLICA = 2000;
/** The bcrypt-10 runs come after bcrypt-4 ones on the same replicas (the path is warm): enough to fill the queues. */
const WARMUP_PER_REPLICA_BCRYPT10 = 50;

const startedAt = new Date();
const loadAtStart = loadavg();
console.log(`# entra-migrate bench:scale — node ${process.version}, ${availableParallelism()} cores, load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}; ${SECONDS} s per run, ${CONCURRENCY} in flight`);
cleanUpOnSignals();

const failures: string[] = [];
try {
  await main();
} catch (error) {
  failures.push(`the bench stopped: ${error instanceof Error ? error.stack : String(error)}`);
} finally {
  await cleanUp();
}
if (failures.length > 0) {
  console.log(`\nFAIL:\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('\nPASS');

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'entra-migrate-scale-'));
  onCleanup(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
  await chmod(dir, 0o711); // nginx's worker (nobody, when run as root) must reach its own subdirectory

  const standIn = await startOpenIdStandIn();
  onCleanup('close the OpenID stand-in', () => standIn.close());
  const key = await generateDecryptionKey();
  const keyPath = join(dir, 'key.pem');
  await writeFile(keyPath, key.privateKeyPem + key.certificatePem, { mode: 0o600 });
  const identity = { tenantId: standIn.tenant.tenantId, appId: APP_ID, certificatePem: key.certificatePem };

  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => `user-${i}@scale.example`);
  const slowAccounts = Array.from({ length: ACCOUNTS }, (_, i) => `slow-${i}@scale.example`);
  const burstAccounts = ['burst-sequential@scale.example', 'burst-concurrent@scale.example'] as const;
  const legacyPath = join(dir, 'legacy.db');
  await writeLegacyStore(legacyPath, [...accounts, ...burstAccounts], WITH_BCRYPT10 ? slowAccounts : []);

  const database = await createBenchDatabase(POSTGRES_URL);
  onCleanup(`drop the database ${database.name}`, () => database.drop());
  const redis = await connectBenchRedis(REDIS_URL);
  const usedNames = [...accounts, ...slowAccounts, ...burstAccounts];
  onCleanup("delete the bench's attempt counts from Redis", async () => console.log(`Redis: ${await redis.deleteAndClose(usedNames)} attempt counts of this run deleted`));
  const driver = startDriver();
  onCleanup('stop the load driver', () => driver.stop());

  const replicaEnv = (replica: number): Record<string, string> => ({
    ENTRA_TENANT_ID: standIn.tenant.tenantId,
    ENTRA_EXTENSION_APP_ID: APP_ID,
    ENTRA_OPENID_CONFIGURATION_URL: standIn.metadataUrlFor(replica),
    JIT_DECRYPTION_KEY_FILE: keyPath,
    LEGACY_DATABASE_URL: `sqlite://${legacyPath}`,
    LEGACY_USER_QUERY: 'SELECT password_hash, status FROM users WHERE email = :username',
    LEDGER_DATABASE_URL: database.url,
    ATTEMPT_LIMIT_PER_ACCOUNT: String(ATTEMPT_LIMIT),
    RATE_LIMIT_REDIS_URL: REDIS_URL,
    RATE_LIMIT_KEY_SECRET: redis.keySecret,
    RATE_LIMIT_REDIS_TIMEOUT_MS: REDIS_TIMEOUT_MS,
  });
  const replicas: Replica[] = [];
  const addReplica = async () => {
    const replica = await startReplica(replicas.length + 1, replicaEnv(replicas.length + 1));
    onCleanup(`stop replica ${replica.number}`, () => replica.serve.stop());
    replicas.push(replica);
  };

  const token = await mintCalloutToken(standIn.tenant, { audience: APP_ID, now: Date.now() });
  const answered = new Set<number>();
  const notAnswered = new Set<number>();
  let nextIndex = 0;
  const runs: RunFigures[] = [];

  /** One measured run through `nginx` over the replicas started so far. */
  const measure = async (nginx: RunningNginx, bcryptCost: number, concurrency: number): Promise<void> => {
    const label = `${replicas.length} replica${replicas.length > 1 ? 's' : ''}, bcrypt-${bcryptCost}, ${concurrency} in flight`;
    const warmup = (bcryptCost === 4 ? WARMUP_PER_REPLICA : WARMUP_PER_REPLICA_BCRYPT10) * replicas.length;
    console.log(`\n## ${label}: warm-up ${warmup} callouts, then ${SECONDS} s`);
    const sources = {
      replicaPids: replicas.map((replica) => replica.pid),
      nginx,
      driverPid: driver.pid,
      postgresBackends: () => database.backendCpuTimeInMs(),
      redisServer: () => redis.serverCpuTimeInMs(),
    };
    let before: Promise<CpuReading> | undefined;
    const firstIndex = nextIndex;
    const result = await driver.run(
      { target: nginx.url, token, identity, accounts: bcryptCost === 4 ? accounts : slowAccounts, password: PASSWORD, seconds: SECONDS, concurrency, warmupCallouts: warmup, firstIndex },
      () => void (before = readCpu(sources)),
    );
    const after = await readCpu(sources);
    nextIndex += result.sent;
    for (let i = firstIndex; i < nextIndex; i++) answered.add(i);
    for (const i of result.notAnswered) {
      answered.delete(i);
      notAnswered.add(i);
    }
    const byReplica = answeredBy(replicas, firstIndex + warmup, nextIndex);
    const warnings = takeWarnings(replicas);
    const figures = figuresOf(label, replicas.length, bcryptCost, concurrency, result, cpuBetween(await before!, after), byReplica, warnings);
    runs.push(figures);
    console.log(
      `${fixed(figures.perSecond, 0)} callouts/s, p50 ${fixed(figures.p50Ms)} ms, p99 ${fixed(figures.p99Ms)} ms; replicas ${fixed(figures.cpuMsPerCallout.replicas, 2)} CPU-ms per callout ` +
        `(${fixed(figures.cores.replicas, 2)} cores), machine ${fixed(figures.cores.machine, 2)} cores busy; answers: ${Object.entries(result.answers).map(([a, n]) => `${a} ${n}`).join(', ')}`,
    );
    if (warnings.length > 0) console.log(`replica warnings during this run:\n  ${warnings.join('\n  ')}`);
    const wrong = Object.entries(result.answers).filter(([answer]) => answer !== 'MigratePassword');
    if (wrong.length > 0) failures.push(`${label}: valid callouts answered ${wrong.map(([a, n]) => `${a} ×${n}`).join(', ')} (required: all MigratePassword)`);
  };
  const measureAll = async (nginx: RunningNginx) => {
    await measure(nginx, 4, CONCURRENCY);
    if (WITH_BCRYPT10) await measure(nginx, 10, BCRYPT10_CONCURRENCY);
  };
  const nginxOver = async (phase: string) => {
    const nginx = await startNginx(join(dir, `nginx-${phase}`), replicas.map((replica) => replica.address), 2 * CONCURRENCY);
    onCleanup(`stop nginx (${phase})`, () => nginx.stop());
    return nginx;
  };

  await addReplica();
  const nginxOne = await nginxOver('1');
  await measureAll(nginxOne);
  await nginxOne.stop();

  await addReplica();
  await addReplica();
  const nginx = await nginxOver('3');
  await measureAll(nginx);

  const context: CheckContext = {
    url: nginx.url,
    token,
    identity,
    replicas,
    reserve: (count) => ((nextIndex += count), nextIndex - count),
    answered: (indexes) => indexes.forEach((i) => answered.add(i)),
    notAnswered: (indexes) => indexes.forEach((i) => notAnswered.add(i)),
  };
  console.log('\n## checks across the 3 replicas');
  const redisRoundTrip = percentiles(await redis.roundTripsInMs(50));
  console.log(`Redis round trip from this process (50 PINGs): p50 ${fixed(redisRoundTrip.p50, 2)} ms, max ${fixed(redisRoundTrip.max, 2)} ms; the replicas wait up to ${REDIS_TIMEOUT_MS} ms`);
  const checks: CheckResult[] = [];
  checks.push(await checkSequentialBurst(context, burstAccounts[0], WRONG, PASSWORD, ATTEMPT_LIMIT));
  checks.push(await checkConcurrentBurst(context, burstAccounts[1], WRONG, ATTEMPT_LIMIT));
  checks.push(await checkKeyRotation(context, standIn, accounts, PASSWORD));
  const checkWarnings = takeWarnings(replicas);

  await nginx.stop();
  await Promise.all(replicas.map((replica) => replica.serve.stop())); // SIGTERM: drain, flush the ledger, exit
  const { rows, waitedMs } = await settledDecisions(database, answered.size);
  checks.push(checkLedgerExactlyOnce(rows, answered, notAnswered, waitedMs));

  for (const check of checks) {
    console.log(`${check.passed ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
    if (!check.passed) failures.push(`${check.name}: ${check.detail}`);
  }
  if (checkWarnings.length > 0) console.log(`replica warnings during the checks:\n  ${checkWarnings.join('\n  ')}`);
  if (checks.some((check) => !check.passed && check.name.startsWith('attempt limit')) && checkWarnings.some((line) => line.includes('REDIS_'))) {
    failures.push(`during the bursts a replica took Redis for down (answer later than RATE_LIMIT_REDIS_TIMEOUT_MS=${REDIS_TIMEOUT_MS}) and counted in its own memory: see the warnings above and the Redis round trip`);
  }

  // Every load account signed in with its right password, which clears its count: one left in Redis is an attempt
  // whose Redis answer came after RATE_LIMIT_REDIS_TIMEOUT_MS, counted and cleared in memory but still counted there.
  const leftoverCounts = await redis.countsHeld(WITH_BCRYPT10 ? [...accounts, ...slowAccounts] : accounts);
  console.log(`load accounts still holding an attempt count in Redis: ${leftoverCounts} (0 unless a replica took Redis for down while the script still ran there)`);

  printRuns(runs);
  const scaling = scalingOfRuns(runs);
  printScaling(scaling, availableParallelism());
  const loadAtEnd = loadavg();
  console.log(`load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')}`);
  const paths = await writeSummary(OUT, {
    startedAt: startedAt.toISOString(),
    node: process.version,
    cores: availableParallelism(),
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadAtEnd,
    settings: { SCALE_SECONDS: SECONDS, SCALE_CONCURRENCY: CONCURRENCY, SCALE_BCRYPT10: WITH_BCRYPT10 ? 1 : 0, SCALE_BCRYPT10_CONCURRENCY: BCRYPT10_CONCURRENCY, ATTEMPT_LIMIT_PER_ACCOUNT: ATTEMPT_LIMIT, RATE_LIMIT_REDIS_TIMEOUT_MS: REDIS_TIMEOUT_MS, balancing: 'nginx least_conn, upstream keepalive' },
    runs,
    scaling,
    checks,
    leftoverRedisCounts: leftoverCounts,
    passed: failures.length === 0,
  });
  console.log(`figures: ${paths.join(', ')}`);
}

/** The legacy store: a SQLite file every replica reads, bcrypt-4 accounts (and bcrypt-10 ones for SCALE_BCRYPT10). */
async function writeLegacyStore(path: string, cheap: readonly string[], slow: readonly string[]): Promise<void> {
  const cheapHash = await bcryptHash(PASSWORD, 4);
  const slowHash = await bcryptHash(PASSWORD, 10);
  const legacy = new Database(path);
  legacy.exec('CREATE TABLE users (email TEXT PRIMARY KEY, password_hash TEXT NOT NULL, status TEXT NOT NULL)');
  const insert = legacy.prepare('INSERT INTO users VALUES (?, ?, ?)');
  legacy.transaction(() => {
    for (const email of cheap) insert.run(email, cheapHash, 'active');
    for (const email of slow) insert.run(email, slowHash, 'active');
  })();
  legacy.close();
}
