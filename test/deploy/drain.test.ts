import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chown, cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Agent, fetch as undiciFetch } from 'undici';
import { callPasswordSubmitExtension, registerPasswordSubmitExtension, startEmulator, type CalloutResult, type DirectoryUser, type RunningEmulator } from '../../src/emulator/index.js';
import { generateDecryptionKey } from '../../src/security/index.js';
import { CANARY_PASSWORDS } from '../support/canaries.js';

// The container runs `node bin/entra-migrate.js serve` in /app over the compiled dist/, production node_modules and
// package.json (Dockerfile). These tests assemble that same layout in a temporary directory — dist/ compiled afresh
// from src/, so what runs is this checkout and not a stale build — and stop it as `docker stop` does: SIGTERM.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
/** serve's RESPONSE_DEADLINE_MS here (its default): every answer must leave within this of its arrival. */
const DEADLINE_IN_MS = 1500;
/** How long the stand-in legacy web service takes over each password check: long enough to be caught mid-check. */
const LEGACY_DELAY_IN_MS = 300;
/** Callouts in flight when SIGTERM arrives: about a second of Entra's 50 calls a second per tenant. */
const IN_FLIGHT = 40;
/**
 * From SIGTERM to the process gone, at most, in ms: the answers in flight (each due within DEADLINE_IN_MS) and
 * closing the pools. Under the 5 s idle keep-alive timeout, so an idle connection that kept the process alive would
 * fail it, and under `docker stop`'s 10 s grace before SIGKILL.
 */
const EXIT_BOUND_IN_MS = 3000;
/**
 * The root file system of the built image (`buildah mount`), when a container builder could build it but no container
 * can run here: serve then runs from the image's own /app, node and libraries, as its `node` user (uid 1000), through
 * chroot (root only). Unset, the image's /app is assembled from this checkout.
 */
const IMAGE_ROOT = process.env.DRAIN_TEST_IMAGE_ROOT;
const IMAGE_USER = 1000;

/** The image's /app: package.json, bin/, dist/ compiled from src/ now, node_modules (linked, not copied). */
async function assembleImageLayout(dir: string): Promise<string> {
  const app = join(dir, 'app');
  await mkdir(app);
  await cp(join(REPO, 'package.json'), join(app, 'package.json'));
  await cp(join(REPO, 'bin'), join(app, 'bin'), { recursive: true });
  await symlink(join(REPO, 'node_modules'), join(app, 'node_modules'), 'dir');
  const build = await run(process.execPath, [TSC, '-p', join(REPO, 'tsconfig.build.json'), '--outDir', join(app, 'dist'), '--declaration', 'false', '--sourceMap', 'false']);
  assert.equal(build.code, 0, `compiling src/ into the image layout failed:\n${build.output}`);
  return app;
}

function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** A legacy login service (docs/legacy-web-service.md) that takes LEGACY_DELAY_IN_MS to say every password is right. */
async function startSlowLegacyService(): Promise<{ server: Server; url: string; checksStarted: () => number }> {
  let checksStarted = 0;
  const server = createServer((request, response) => {
    if (request.method !== 'POST') return void response.writeHead(204).end(); // the readiness probe
    checksStarted += 1;
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => {
      const { username } = JSON.parse(body) as { username: string };
      setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ valid: true, id: `ws-${username}` })), LEGACY_DELAY_IN_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/verify`, checksStarted: () => checksStarted };
}

/** `serve` as the image starts it, with its log (stdout, one JSON line each) and stderr kept. */
interface Served {
  child: ChildProcess;
  baseUrl: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

async function startServe(app: string, env: Record<string, string>): Promise<Served> {
  const child = IMAGE_ROOT
    ? spawn('/usr/sbin/chroot', [`--userspec=${IMAGE_USER}:${IMAGE_USER}`, IMAGE_ROOT, '/bin/sh', '-c', 'cd /app && exec node bin/entra-migrate.js serve'], { env: { PATH: '/usr/local/bin:/usr/bin:/bin', NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, ['bin/entra-migrate.js', 'serve'], { cwd: app, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not say it was listening within 20 s:\n${stdout}\n${stderr}`)), 20_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const listening = stdout.split('\n').map(parseLine).find((line) => line?.msg === 'entra-migrate serve is listening');
      if (listening) (clearTimeout(timer), resolve(String(listening.address)));
    });
    void exited.then(({ code }) => (clearTimeout(timer), reject(new Error(`serve exited with ${code} before listening:\n${stdout}\n${stderr}`))));
  });
  return { child, baseUrl, stdout: () => stdout, stderr: () => stderr, exited };
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** A path of this machine as serve sees it: inside the image's root when it runs there. */
const servePath = (path: string) => (IMAGE_ROOT ? path.slice(IMAGE_ROOT.replace(/\/$/, '').length) : path);

/** `fetch` (as the emulator's callout client takes it) over undici's own fetch through `dispatcher`. */
function fetchThrough(dispatcher: Agent): typeof fetch {
  return ((url: string, init: Parameters<typeof undiciFetch>[1]) => undiciFetch(url, { ...init, dispatcher })) as unknown as typeof fetch;
}

/** What a connection opened after SIGTERM met: refused at connect, or an HTTP status. */
async function probe(url: string): Promise<'refused' | number> {
  // A fresh agent for each probe: a new connection, never one kept alive from before SIGTERM.
  const dispatcher = new Agent({ pipelining: 0 });
  try {
    const response = await undiciFetch(url, { signal: AbortSignal.timeout(2000), dispatcher });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') return 'refused';
    throw error;
  } finally {
    await dispatcher.close();
  }
}

describe('serve as the container runs it: SIGTERM under load drains', () => {
  let dir: string;
  let app: string;
  let emulator: RunningEmulator;
  let legacy: Awaited<ReturnType<typeof startSlowLegacyService>>;
  let served: Served | undefined;
  const users: DirectoryUser[] = [];
  let certificatePem: string;

  before(async () => {
    dir = await mkdtemp(IMAGE_ROOT ? join(IMAGE_ROOT, 'tmp', 'drain-') : join(tmpdir(), 'drain-'));
    app = IMAGE_ROOT ? '/app' : await assembleImageLayout(dir);
    const key = await generateDecryptionKey({ subject: 'CN=drain' });
    certificatePem = key.certificatePem;
    await writeFile(join(dir, 'key.pem'), key.privateKeyPem + key.certificatePem, { mode: 0o600 });
    if (IMAGE_ROOT) for (const path of [dir, join(dir, 'key.pem')]) await chown(path, IMAGE_USER, IMAGE_USER);
    emulator = await startEmulator({ port: 0 });
    for (let i = 0; i <= IN_FLIGHT; i++) {
      const email = `drain${i}@legacy.example`;
      users.push(await emulator.directory.createUser({ displayName: email, mail: email, identities: [{ signInType: 'emailAddress', issuer: emulator.tenant.domain, issuerAssignedId: email }], password: `Random-${i}-Initial-A1!` }));
    }
    legacy = await startSlowLegacyService();
  }, { timeout: 180_000 });

  after(async () => {
    if (served && served.child.exitCode === null && served.child.signalCode === null) served.child.kill('SIGKILL');
    await emulator?.close();
    legacy?.server.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('every callout in flight is answered inside its deadline, new connections are refused, exit 0 without a kill', { timeout: 120_000 }, async (t) => {
    served = await startServe(app, {
      PORT: '0',
      HOST: '127.0.0.1',
      ENTRA_TENANT_ID: emulator.tenant.tenantId,
      ENTRA_EXTENSION_APP_ID: APP_ID,
      ENTRA_OPENID_CONFIGURATION_URL: emulator.openIdConfigurationUrl,
      JIT_DECRYPTION_KEY_FILE: servePath(join(dir, 'key.pem')),
      LEGACY_VERIFY_URL: legacy.url,
      LEDGER_DATABASE_URL: `sqlite://${servePath(join(dir, 'ledger.db'))}`,
      RESPONSE_DEADLINE_MS: String(DEADLINE_IN_MS),
    });
    const { baseUrl } = served;
    // Entra's side: its 2 s timeout, no retry, so a lost or late answer shows as a failure rather than being hidden.
    const extension = registerPasswordSubmitExtension({ targetUrl: `${baseUrl}/events/password-submit`, appId: APP_ID, encryptionCertificatePem: certificatePem, timeoutInMs: 2000, maximumRetries: 0 });
    // Entra keeps connections alive between callouts: so does this client, whose idle connections must not hold serve open.
    const keepAlive = new Agent({ keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
    const newConnections = new Agent();
    const entraFetch = fetchThrough(keepAlive);
    const callout = (user: DirectoryUser) =>
      callPasswordSubmitExtension({ tenant: emulator.tenant, extension, user, password: CANARY_PASSWORDS.correct, username: user.mail!, client: { ip: '203.0.113.7', locale: 'en-us', market: 'en-us' }, fetch: entraFetch, now: Date.now });

    let drainedInMs = 0;
    try {
      // One callout first: serve has fetched Entra's signing keys and the pools are open, as in a running deployment.
      const warm = await callout(users[0]!);
      assert.equal(warm.ok && warm.action, 'MigratePassword', JSON.stringify(warm));
      assert.equal((await probe(`${baseUrl}/healthz`)), 200);

      // IN_FLIGHT callouts at once; SIGTERM once every one of them is inside the legacy check, 300 ms from its answer.
      const inFlight: Array<Promise<CalloutResult>> = users.slice(1).map(callout);
      const started = Date.now();
      while (legacy.checksStarted() < 1 + IN_FLIGHT) {
        assert.ok(Date.now() - started < 5000, `only ${legacy.checksStarted() - 1} of ${IN_FLIGHT} callouts reached the legacy store`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const sigtermAt = Date.now();
      served.child.kill('SIGTERM');

      // New connections while draining: refused (the listener is closed) or 503, never work started.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const newCallout = await callPasswordSubmitExtension({ tenant: emulator.tenant, extension, user: users[0]!, password: CANARY_PASSWORDS.correct, username: users[0]!.mail!, client: { ip: '203.0.113.7', locale: 'en-us', market: 'en-us' }, fetch: fetchThrough(newConnections), now: Date.now });
      assert.equal(newCallout.ok, false, 'a callout on a new connection after SIGTERM was answered: the listener was still open');
      const afterSigterm = [await probe(`${baseUrl}/healthz`), await probe(`${baseUrl}/readyz`)];
      for (const seen of afterSigterm) assert.ok(seen === 'refused' || seen === 503, `a new connection after SIGTERM got ${seen}`);

      const results = await Promise.all(inFlight);
      const failures = results.flatMap((result, i) => (result.ok ? [] : [`${users[i + 1]!.mail}: ${result.errorCode} ${result.detail} after ${result.latencyInMs} ms`]));
      assert.deepEqual(failures, [], 'callouts in flight at SIGTERM were lost');
      // Each answered inside Entra's 2 s timeout (the client's clock, its own token and encryption included), with no retry.
      for (const result of results) assert.equal(result.ok && result.action, 'MigratePassword');
      assert.equal(legacy.checksStarted(), 1 + IN_FLIGHT, 'the legacy store was asked after SIGTERM');

      // The process leaves by itself: every pool, timer and idle connection closed. A handle left open would keep it
      // running until the bound, then it is killed and the test fails.
      const exitTimer = setTimeout(() => served!.child.kill('SIGKILL'), EXIT_BOUND_IN_MS + 5000);
      const exit = await served.exited;
      clearTimeout(exitTimer);
      assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, `serve did not exit 0 by itself after SIGTERM:\n${served.stderr()}`);
      drainedInMs = exit.at - sigtermAt;
      assert.ok(exit.at - sigtermAt <= EXIT_BOUND_IN_MS, `serve took ${exit.at - sigtermAt} ms to exit after SIGTERM (bound ${EXIT_BOUND_IN_MS} ms): something held it open`);
      assert.equal(served.stderr(), '');
    } finally {
      await keepAlive.close();
      await newConnections.close();
    }

    // Every answer left its ledger row, written before the ledger closed; no error on the way out.
    const lines = served.stdout().split('\n').filter(Boolean).map(parseLine);
    assert.deepEqual(lines.filter((line) => line === undefined || (line.level as number) >= 50), [], 'serve logged errors while draining');
    // And inside serve's own deadline, from arrival to answer, as serve measured it.
    const callouts = lines.filter((line) => line?.msg === 'request' && line.path === '/events/password-submit');
    assert.deepEqual(callouts.map((line) => line!.status), Array(1 + IN_FLIGHT).fill(200));
    for (const line of callouts) assert.ok((line!.latencyInMs as number) <= DEADLINE_IN_MS, `serve answered a callout in ${line!.latencyInMs} ms, over its ${DEADLINE_IN_MS} ms deadline`);
    t.diagnostic(`exit ${drainedInMs} ms after SIGTERM; slowest answer ${Math.max(...callouts.map((line) => line!.latencyInMs as number))} ms from arrival`);
    const ledger = new Database(join(dir, 'ledger.db'), { readonly: true });
    try {
      const rows = ledger.prepare('SELECT action, count(*) AS n FROM jit_decisions GROUP BY action').all();
      assert.deepEqual(rows, [{ action: 'MigratePassword', n: 1 + IN_FLIGHT }]);
    } finally {
      ledger.close();
    }
    assert.ok(!served.stdout().includes(CANARY_PASSWORDS.correct));
  });
});
