/**
 * `npm run soak` (not in CI): does a `serve` left running under Entra's steady traffic stay the same size? One `serve`
 * child process (`dist/`, as deployed) with a SQLite legacy store of four hash formats and a SQLite ledger, driven
 * open loop at SOAK_RATE callouts/s for SOAK_MINUTES with the traffic a migration sees: correct passwords, wrong ones,
 * unknown names, correct but weak passwords (UpdatePassword) and locked legacy accounts. Every 10 s it samples the
 * child's RSS, open descriptors, event-loop delay p99 (its /metrics), the ledger's size and the answers and latency of
 * those 10 s; they are written as CSV and drawn as a PNG chart (SOAK_OUT).
 *
 * The run fails (exit 1) when RSS or descriptors keep growing over the second half of the run (a least-squares
 * slope above RSS_SLOPE_LIMIT / FD_SLOPE_LIMIT: the first half is warm-up — JIT, caches, the limiter's window
 * filling), when an answer came later than the deadline or with a 5xx, or when a callout got an answer other than
 * the one its kind of traffic must get (which also catches the attempt limiter answering instead of the hash path).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { mintCalloutToken, startEmulator } from '../src/emulator/index.js';
import { generateDecryptionKey } from '../src/security/index.js';
import { calloutBody, startServe } from './callouts.js';
import { fixed, percentiles } from './measure.js';

const RATE = Number(process.env.SOAK_RATE ?? 50);
const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const OUT = process.env.SOAK_OUT ?? '/tmp/entra-migrate-soak/';
const SAMPLE_EVERY_MS = 10_000;
const DEADLINE_MS = 1500;
/** Growth over the second half that counts as unbounded: a real leak at 50 req/s shows as tens of MB an hour. */
const RSS_SLOPE_LIMIT_MB_PER_MIN = 2;
const FD_SLOPE_LIMIT_PER_MIN = 1;
const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const METRICS_TOKEN = 'soak-metrics-token-0123456789';
const STRONG = 'Soak-Test-Password-1!';
/** Correct for the weak accounts but only one character class: External ID's policy refuses it → UpdatePassword. */
const WEAK = 'weakpassword';
const CHROMIUM = '/usr/bin/chromium';

if (!(RATE > 0 && MINUTES > 0)) throw new Error('SOAK_RATE and SOAK_MINUTES must be positive numbers');

/**
 * The traffic mix, by share of callouts, and the answer each kind must get. The pools are sized so that no name gets
 * more than ATTEMPT_LIMIT_PER_ACCOUNT (10) counted attempts in ATTEMPT_WINDOW_SECONDS (900) at 50/s: wrong, unknown
 * and locked attempts all count (docs/attempt-limits.md), so a small pool would measure the limiter instead.
 */
const KINDS = [
  { kind: 'correct', share: 0.5, expect: 'MigratePassword' },
  { kind: 'wrong', share: 0.2, expect: 'Retry' },
  { kind: 'unknown', share: 0.1, expect: 'Retry' },
  { kind: 'weak', share: 0.1, expect: 'UpdatePassword' },
  { kind: 'locked', share: 0.1, expect: 'Block (locked)' },
] as const;
type Kind = (typeof KINDS)[number]['kind'];
const FORMATS = ['bcrypt', 'argon2id', 'django-pbkdf2', 'salted-sha1'] as const;
const POOL = 2000;

console.log(`# entra-migrate soak — node ${process.version}, ${availableParallelism()} cores, ${RATE} callouts/s for ${MINUTES} min`);
const emulator = await startEmulator({ port: 0 });
const key = await generateDecryptionKey();
const dir = await mkdtemp(join(tmpdir(), 'entra-migrate-soak-'));
const keyPath = join(dir, 'key.pem');
await writeFile(keyPath, key.privateKeyPem + key.certificatePem, { mode: 0o600 });

// Cheap parameters for every format so that 2 cores keep up with 50/s: what is soaked is the path, not a queue.
const hashes = async (password: string): Promise<Record<(typeof FORMATS)[number], string>> => {
  const salt = randomBytes(9).toString('base64url');
  return {
    bcrypt: await bcryptHash(password, 6),
    argon2id: await argon2Hash(password, { algorithm: 2, memoryCost: 4096, timeCost: 2, parallelism: 1 }),
    'django-pbkdf2': `pbkdf2_sha256$10000$${salt}$${pbkdf2Sync(password, salt, 10000, 32, 'sha256').toString('base64')}`,
    'salted-sha1': `sha1$${salt}$${createHash('sha1').update(salt + password).digest('hex')}`,
  };
};
const strongHashes = await hashes(STRONG);
const weakHashes = await hashes(WEAK);
const legacyPath = join(dir, 'legacy.db');
const legacy = new Database(legacyPath);
legacy.exec('CREATE TABLE users (email TEXT PRIMARY KEY, password_hash TEXT NOT NULL, status TEXT NOT NULL)');
const insert = legacy.prepare('INSERT INTO users VALUES (?, ?, ?)');
legacy.transaction(() => {
  for (let i = 0; i < POOL; i++) {
    const format = FORMATS[i % FORMATS.length]!;
    insert.run(nameOf('user', i), strongHashes[format], 'active');
    insert.run(nameOf('weak', i), weakHashes[format], 'active');
    insert.run(nameOf('locked', i), strongHashes[format], 'locked');
  }
})();
legacy.close();

const ledgerPath = join(dir, 'ledger.db');
const server = await startServe({
  ENTRA_TENANT_ID: emulator.tenant.tenantId,
  ENTRA_EXTENSION_APP_ID: APP_ID,
  ENTRA_OPENID_CONFIGURATION_URL: emulator.openIdConfigurationUrl,
  JIT_DECRYPTION_KEY_FILE: keyPath,
  LEGACY_DATABASE_URL: `sqlite://${legacyPath}`,
  LEGACY_USER_QUERY: 'SELECT password_hash, status FROM users WHERE email = :username',
  LEDGER_DATABASE_URL: `sqlite://${ledgerPath}`,
  RESPONSE_DEADLINE_MS: String(DEADLINE_MS),
  METRICS_TOKEN,
});
const pid = server.child.pid!;
const identity = { tenantId: emulator.tenant.tenantId, appId: APP_ID, certificatePem: key.certificatePem };

// Caller tokens last an hour; a fresh one every 5 minutes, as Entra's own cache would hand out.
let token = await mintCalloutToken(emulator.tenant, { audience: APP_ID, now: Date.now() });
const tokenTimer = setInterval(() => void mintCalloutToken(emulator.tenant, { audience: APP_ID, now: Date.now() }).then((fresh) => (token = fresh)), 300_000);

interface Answer {
  kind: Kind;
  ms: number;
  /** `MigratePassword`, `Block (locked)`, `HTTP 503 OVERLOADED`, `connection failed`, … */
  answer: string;
}

const counters: Record<Kind, number> = { correct: 0, wrong: 0, unknown: 0, weak: 0, locked: 0 };
/** The i-th callout's kind and body: kinds interleaved by share, names cycling through each kind's pool. */
async function nextCallout(i: number): Promise<{ kind: Kind; body: string }> {
  let point = ((i * 0.6180339887) % 1 + 1) % 1; // golden-ratio sequence: every stretch of callouts has the same mix
  let kind: Kind = 'correct';
  for (const entry of KINDS) {
    if (point < entry.share) { kind = entry.kind; break; }
    point -= entry.share;
  }
  const n = counters[kind]++ % POOL;
  const [username, password] = {
    correct: [nameOf('user', n), STRONG],
    wrong: [nameOf('user', (n * 7 + 3) % POOL), 'Wrong-Password-9?'],
    unknown: [nameOf('nobody', n), STRONG],
    weak: [nameOf('weak', n), WEAK],
    locked: [nameOf('locked', n), STRONG],
  }[kind];
  return { kind, body: await calloutBody(identity, username!, password!, i) };
}

async function send(i: number): Promise<Answer> {
  const { kind, body } = await nextCallout(i);
  const t0 = performance.now();
  try {
    const response = await fetch(`${server.url}/events/password-submit`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
    const payload = (await response.json()) as { data?: { actions?: Array<{ '@odata.type'?: string; title?: string }> }; error?: { code: string } };
    const ms = performance.now() - t0;
    if (response.status !== 200) return { kind, ms, answer: `HTTP ${response.status} ${payload.error?.code ?? ''}`.trim() };
    const action = payload.data?.actions?.[0];
    const type = String(action?.['@odata.type']).split('.').pop()!;
    if (type !== 'Block') return { kind, ms, answer: type };
    const why = action?.title === 'Sign-in blocked' ? 'locked' : action?.title === 'Too many attempts' ? 'too many attempts' : 'unavailable';
    return { kind, ms, answer: `Block (${why})` };
  } catch {
    return { kind, ms: performance.now() - t0, answer: 'connection failed' };
  }
}

interface Sample {
  seconds: number;
  rssMb: number;
  fds: number;
  loopP99Ms: number;
  ledgerMb: number;
  callouts: number;
  p50Ms: number;
  p99Ms: number;
  answers: Map<string, number>;
}

const samples: Sample[] = [];
const totals = new Map<string, number>();
const wrongAnswers = new Map<string, number>();
let late = 0;
let serverErrors = 0;
let recent: Answer[] = [];
const started = performance.now();

async function takeSample(): Promise<void> {
  const answers = new Map<string, number>();
  for (const entry of recent) answers.set(entry.answer, (answers.get(entry.answer) ?? 0) + 1);
  const latency = percentiles(recent.map((entry) => entry.ms));
  samples.push({
    seconds: (performance.now() - started) / 1000,
    rssMb: Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    loopP99Ms: await loopDelayP99(),
    ledgerMb: (sizeOf(ledgerPath) + sizeOf(`${ledgerPath}-wal`)) / 2 ** 20,
    callouts: recent.length,
    p50Ms: latency.p50,
    p99Ms: latency.p99,
    answers,
  });
  recent = [];
  server.log.length = 0; // the child logs each callout (info, as deployed); this process need not keep them
  const last = samples.at(-1)!;
  console.log(`${fixed(last.seconds / 60, 1).padStart(5)} min  RSS ${fixed(last.rssMb)} MB  fds ${last.fds}  loop p99 ${fixed(last.loopP99Ms)} ms  ledger ${fixed(last.ledgerMb, 2)} MB  p50 ${fixed(last.p50Ms)} / p99 ${fixed(last.p99Ms)} ms  (${last.callouts} callouts)`);
}

/** The child's own event-loop delay p99 (prom-client's default metric), in ms. */
async function loopDelayP99(): Promise<number> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const match = /^entra_migrate_nodejs_eventloop_lag_p99_seconds\s+(\S+)/m.exec(await response.text());
  return match ? Number(match[1]) * 1000 : Number.NaN;
}

// Warm-up so the first sample is the steady process, not its start: JIT, connection pools, the key.
for (let i = 0; i < 50; i++) await send(-1 - i);
await takeSample();
samples[0]!.seconds = 0;

const count = Math.round(RATE * MINUTES * 60);
const inFlight = new Set<Promise<void>>();
let nextSampleAt = started + SAMPLE_EVERY_MS;
for (let i = 0; i < count; i++) {
  const wait = started + (i * 1000) / RATE - performance.now();
  if (wait > 0) await sleep(wait);
  if (performance.now() >= nextSampleAt) {
    nextSampleAt += SAMPLE_EVERY_MS;
    void takeSample();
  }
  const pending: Promise<void> = send(i).then((result) => {
    inFlight.delete(pending);
    recent.push(result);
    totals.set(result.answer, (totals.get(result.answer) ?? 0) + 1);
    if (result.ms > DEADLINE_MS) late++;
    if (/^HTTP 5/.test(result.answer)) serverErrors++;
    const expected = KINDS.find((entry) => entry.kind === result.kind)!.expect;
    if (result.answer !== expected) wrongAnswers.set(`${result.kind} → ${result.answer}`, (wrongAnswers.get(`${result.kind} → ${result.answer}`) ?? 0) + 1);
  });
  inFlight.add(pending);
}
await Promise.all(inFlight);
await takeSample();
clearInterval(tokenTimer);
await server.stop();
await emulator.close();

// The verdict: slopes over the second half of the samples.
const secondHalf = samples.filter((sample) => sample.seconds >= samples.at(-1)!.seconds / 2);
const rssSlope = slopePerMinute(secondHalf.map((sample) => [sample.seconds / 60, sample.rssMb]));
const fdSlope = slopePerMinute(secondHalf.map((sample) => [sample.seconds / 60, sample.fds]));
const failures: string[] = [];
if (rssSlope > RSS_SLOPE_LIMIT_MB_PER_MIN) failures.push(`RSS grows ${fixed(rssSlope, 2)} MB/min over the second half`);
if (fdSlope > FD_SLOPE_LIMIT_PER_MIN) failures.push(`descriptors grow ${fixed(fdSlope, 2)}/min over the second half`);
if (late > 0) failures.push(`${late} answers later than the ${DEADLINE_MS} ms deadline`);
if (serverErrors > 0) failures.push(`${serverErrors} 5xx answers`);
if (wrongAnswers.size > 0) failures.push(`answers other than expected: ${[...wrongAnswers].map(([what, n]) => `${what} ${n}`).join(', ')}`);

await mkdir(OUT, { recursive: true });
const actions = [...totals.keys()].sort();
const csvPath = join(OUT, 'soak.csv');
await writeFile(
  csvPath,
  [
    ['seconds', 'rss_mb', 'fds', 'loop_p99_ms', 'ledger_mb', 'callouts', 'p50_ms', 'p99_ms', ...actions.map((action) => `answers_${action.replace(/\W+/g, '_').replace(/_$/, '')}`)].join(','),
    ...samples.map((sample) => [cell(sample.seconds, 1), cell(sample.rssMb, 2), sample.fds, cell(sample.loopP99Ms, 2), cell(sample.ledgerMb, 3), sample.callouts, cell(sample.p50Ms, 2), cell(sample.p99Ms, 2), ...actions.map((action) => sample.answers.get(action) ?? 0)].join(',')),
  ].join('\n') + '\n',
);
const pngPath = join(OUT, 'soak.png');
const charted = await drawChart(pngPath);

const all = samples.slice(1);
const overall = { p99: Math.max(...all.map((sample) => sample.p99Ms)), loop: Math.max(...all.map((sample) => sample.loopP99Ms)) };
console.log(`\nRSS ${fixed(samples[0]!.rssMb)} MB at start, ${fixed(samples.at(-1)!.rssMb)} MB at end, peak ${fixed(Math.max(...samples.map((sample) => sample.rssMb)))} MB; slope over the second half ${fixed(rssSlope, 2)} MB/min (limit ${RSS_SLOPE_LIMIT_MB_PER_MIN})`);
console.log(`descriptors ${samples[0]!.fds} at start, ${samples.at(-1)!.fds} at end; slope over the second half ${fixed(fdSlope, 2)}/min (limit ${FD_SLOPE_LIMIT_PER_MIN})`);
console.log(`event-loop delay p99: worst 10 s ${fixed(overall.loop)} ms  |  latency: worst 10 s p99 ${fixed(overall.p99)} ms, deadline ${DEADLINE_MS} ms, ${late} late`);
console.log(`ledger ${fixed(samples.at(-1)!.ledgerMb, 2)} MB after ${[...totals.values()].reduce((a, b) => a + b, 0)} callouts`);
console.log(`answers: ${actions.map((action) => `${action} ${totals.get(action)}`).join(', ')}`);
console.log(`CSV ${csvPath}${charted ? `, chart ${pngPath}` : ` (no chart: ${CHROMIUM} is missing)`}`);
console.log(`rule: fails when RSS grows > ${RSS_SLOPE_LIMIT_MB_PER_MIN} MB/min or descriptors > ${FD_SLOPE_LIMIT_PER_MIN}/min (least-squares slope over the second half), an answer is later than ${DEADLINE_MS} ms or 5xx, or an answer is not the one its traffic must get`);
await rm(dir, { recursive: true, force: true });
if (failures.length > 0) {
  console.log(`FAIL: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('PASS');

function nameOf(kind: string, i: number): string {
  return `${kind}-${i}@soak.example`;
}

/** A CSV number: empty when there is none (no callouts in the first sample), not the console's dash. */
function cell(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : '';
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Least-squares slope of y over x (x in minutes), so the unit is y per minute. */
function slopePerMinute(points: ReadonlyArray<readonly [number, number]>): number {
  if (points.length < 2) return 0;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return variance === 0 ? 0 : covariance / variance;
}

/** Renders the samples with uPlot in headless Chromium and saves a screenshot; false when Chromium is missing. */
async function drawChart(path: string): Promise<boolean> {
  try {
    statSync(CHROMIUM);
  } catch {
    return false;
  }
  const require = createRequire(import.meta.url);
  const uplotJs = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const minutes = samples.map((sample) => sample.seconds / 60);
  const charts = [
    { title: 'RSS (MB)', series: { RSS: samples.map((sample) => sample.rssMb) } },
    { title: 'open file descriptors', series: { fds: samples.map((sample) => sample.fds) } },
    { title: 'event-loop delay p99 (ms)', series: { 'loop p99': samples.map((sample) => sample.loopP99Ms) } },
    { title: 'callout latency of each 10 s (ms)', series: { p50: samples.map((sample) => sample.p50Ms), p99: samples.map((sample) => sample.p99Ms) } },
    { title: 'ledger file (MB)', series: { ledger: samples.map((sample) => sample.ledgerMb) } },
    { title: 'answers per 10 s', series: Object.fromEntries(actions.map((action) => [action, samples.map((sample) => sample.answers.get(action) ?? 0)])) },
  ].map((chart) => ({ ...chart, series: Object.fromEntries(Object.entries(chart.series).map(([name, values]) => [name, values.map((value) => (Number.isFinite(value) ? value : null))])) }));
  const html = `<!doctype html><html><head><style>${uplotCss} body{font:13px sans-serif;margin:12px;width:1180px} h1{font-size:16px}</style></head><body>
<h1>entra-migrate soak: ${RATE} callouts/s for ${MINUTES} min — ${failures.length ? 'FAIL' : 'PASS'}</h1><div id="charts"></div>
<script>${uplotJs}</script><script>
const minutes = ${JSON.stringify(minutes)};
const charts = ${JSON.stringify(charts)};
const colours = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2'];
for (const chart of charts) {
  const names = Object.keys(chart.series);
  new uPlot({ title: chart.title, width: 580, height: 260, legend: { live: false }, scales: { x: { time: false } }, axes: [{ label: 'minutes' }, {}],
    series: [{ label: 'min' }, ...names.map((name, i) => ({ label: name, stroke: colours[i % colours.length], width: 2 }))] },
    [minutes, ...names.map((name) => chart.series[name])], document.getElementById('charts'));
}
</script></body></html>`;
  await writeFile(join(OUT, 'soak.html'), html);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1210, height: 900 } });
    await page.setContent(html);
    await page.addStyleTag({ content: '#charts{display:flex;flex-wrap:wrap;gap:8px}' });
    await page.screenshot({ path, fullPage: true });
  } finally {
    await browser.close();
  }
  return true;
}
