/**
 * `npm run bench:legacy`: what the extension adds on top of each network legacy store, and what an open circuit
 * answers.
 *
 * For each store (a web service stand-in answering after 5 ms, Debian's slapd with search then bind, the emulator's
 * B2C tenant through its password grant):
 *  1. the store alone: its own check, called in this process at 50 checks/s, open loop — the store's latency;
 *  2. the same store behind `serve` (dist/, a child process): 50 callouts/s, open loop, through HTTP, caller-token
 *     check, JWE decryption, the store, the ledger — the sign-in's latency.
 * The difference of the percentiles is the extension's own overhead per sign-in.
 *
 * Then the circuit breaker: a web service that never answers. The first callouts wait for the deadline; once five
 * failed in a row the circuit opens and the rest are answered "temporarily unavailable" at once.
 *
 * BENCH_LEGACY_SECONDS (default 10) sets each run's length.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SettingsReader } from '../src/config/settings.js';
import { readLdapSettings } from '../src/config/legacy-ldap-settings.js';
import { readRopcSettings } from '../src/config/legacy-ropc-settings.js';
import { readWebServiceSettings } from '../src/config/legacy-web-service-settings.js';
import { mintCalloutToken, startEmulator } from '../src/emulator/index.js';
import type { LegacyAuthority } from '../src/legacy/index.js';
import { openLdapAuthority } from '../src/legacy/stores/ldap/index.js';
import { openRopcAuthority } from '../src/legacy/stores/ropc/index.js';
import { openWebServiceAuthority } from '../src/legacy/stores/web-service/index.js';
import { generateDecryptionKey } from '../src/security/index.js';
import { PEOPLE, SERVICE_DN, skipUnlessSlapd, ssha, startSlapd, type Slapd } from '../test/support/slapd.js';
import { call, calloutBody, openLoop, startServe, tally } from './callouts.js';
import { fixed, percentiles } from './measure.js';

const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const PASSWORD = 'Bench-Mark-Password-1!';
const USERNAME = 'bench@legacy.example';
const RATE = 50;
const SECONDS = Number(process.env.BENCH_LEGACY_SECONDS ?? 10);
const WEB_SERVICE_LATENCY_IN_MS = 5;

const emulator = await startEmulator({
  port: 0,
  legacyB2c: { users: [{ signInNames: [USERNAME], password: PASSWORD, displayName: 'Bench' }] },
});
const key = await generateDecryptionKey();
const dir = await mkdtemp(join(tmpdir(), 'bench-legacy-'));
const keyPath = join(dir, 'key.pem');
await writeFile(keyPath, key.privateKeyPem + key.certificatePem, { mode: 0o600 });
const token = await mintCalloutToken(emulator.tenant, { audience: APP_ID, now: Date.now() });
const identity = { tenantId: emulator.tenant.tenantId, appId: APP_ID, certificatePem: key.certificatePem };

/** A web service that answers every check as correct after a fixed delay, as a fast legacy login API would. */
async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}/verify` };
}
const webService = await listen((request, response) => {
  request.resume().on('end', () => setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end('{"valid":true,"id":"42"}'), WEB_SERVICE_LATENCY_IN_MS));
});
const silent = await listen(() => undefined); // never answers

let slapd: Slapd | undefined;
const slapdMissing = skipUnlessSlapd();
if (slapdMissing === false) {
  slapd = await startSlapd({
    entries: [`dn: uid=bench,${PEOPLE}`, 'objectClass: inetOrgPerson', 'uid: bench', 'cn: bench', 'sn: Bench', `mail: ${USERNAME}`, `userPassword: ${ssha(PASSWORD)}`].join('\n'),
  });
}

interface StoreUnderTest {
  name: string;
  env: Record<string, string>;
  open(): LegacyAuthority | Promise<LegacyAuthority>;
}

function settingsOf<T>(env: Record<string, string>, reader: (read: SettingsReader, allowInsecure: boolean) => T | undefined): T {
  const read = new SettingsReader(env);
  const settings = reader(read, false);
  if (settings === undefined) throw new Error(read.problems.map(({ setting, problem }) => `${setting} ${problem}`).join('; '));
  return settings;
}

const stores: StoreUnderTest[] = [
  {
    name: `web service (stand-in answering after ${WEB_SERVICE_LATENCY_IN_MS} ms)`,
    env: { LEGACY_VERIFY_URL: webService.url },
    open() {
      return openWebServiceAuthority(settingsOf(this.env, readWebServiceSettings)!);
    },
  },
  ...(slapd
    ? [{
        name: 'directory (slapd, search then bind)',
        env: {
          LEGACY_LDAP_URL: slapd.url,
          LEGACY_LDAP_BIND_DN: SERVICE_DN,
          LEGACY_LDAP_BIND_PASSWORD: slapd.servicePassword,
          LEGACY_LDAP_SEARCH_BASE: PEOPLE,
          LEGACY_LDAP_SEARCH_FILTER: '(mail={username})',
        },
        open() {
          return openLdapAuthority(settingsOf(this.env, readLdapSettings)!);
        },
      }]
    : []),
  {
    name: "password grant (the emulator's B2C tenant, bcrypt)",
    env: { ...emulator.legacyB2c!.ropcSettings },
    open() {
      return openRopcAuthority(settingsOf(this.env, readRopcSettings)!);
    },
  },
];

const rows: string[][] = [];
const report = (...cells: string[]) => {
  rows.push(cells);
  console.log(cells.join('  |  '));
};

console.log(`# entra-migrate bench: legacy stores — node ${process.version}, ${availableParallelism()} cores, ${RATE}/s × ${SECONDS} s per run\n`);
if (slapdMissing !== false) console.log(`(directory skipped: ${slapdMissing})\n`);

const count = RATE * SECONDS;
for (const store of stores) {
  const authority = await store.open();
  const attempt = { username: USERNAME, email: USERNAME, objectId: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee', password: PASSWORD };
  for (let i = 0; i < 10; i++) await authority.checkPassword(attempt, { abortSignal: new AbortController().signal, deadlineAt: Date.now() + 1500 });
  const direct = await openLoop(RATE, count, async () => {
    const t0 = performance.now();
    const check = await authority.checkPassword(attempt, { abortSignal: new AbortController().signal, deadlineAt: Date.now() + 1500 });
    return { ms: performance.now() - t0, outcome: check.outcome };
  });
  await authority.close();

  const server = await startServe({
    ENTRA_TENANT_ID: emulator.tenant.tenantId,
    ENTRA_EXTENSION_APP_ID: APP_ID,
    ENTRA_OPENID_CONFIGURATION_URL: emulator.openIdConfigurationUrl,
    JIT_DECRYPTION_KEY_FILE: keyPath,
    LEDGER_DATABASE_URL: `sqlite://${join(dir, `ledger-${rows.length}.db`)}`,
    ...store.env,
  });
  const bodies = await Promise.all(Array.from({ length: 100 }, (_, i) => calloutBody(identity, USERNAME, PASSWORD, i)));
  for (let i = 0; i < 10; i++) await call(server.url, token, bodies[i]!); // warm-up
  const callouts = await openLoop(RATE, count, (i) => call(server.url, token, bodies[i % bodies.length]!));
  await server.stop();

  const alone = percentiles(direct.map((result) => result.ms));
  const behind = percentiles(callouts.map((result) => result.ms));
  report(
    store.name,
    `store alone p50 ${fixed(alone.p50, 2)} ms, p99 ${fixed(alone.p99, 2)} ms (${tally(direct.map((result) => result.outcome))})`,
    `behind serve p50 ${fixed(behind.p50, 2)} ms, p99 ${fixed(behind.p99, 2)} ms (${tally(callouts.map((result) => result.action))})`,
    `added p50 ${fixed(behind.p50 - alone.p50, 2)} ms, p99 ${fixed(behind.p99 - alone.p99, 2)} ms`,
  );
}

{
  // The circuit: a web service that accepts connections and never answers.
  const server = await startServe({
    ENTRA_TENANT_ID: emulator.tenant.tenantId,
    ENTRA_EXTENSION_APP_ID: APP_ID,
    ENTRA_OPENID_CONFIGURATION_URL: emulator.openIdConfigurationUrl,
    JIT_DECRYPTION_KEY_FILE: keyPath,
    LEDGER_DATABASE_URL: `sqlite://${join(dir, 'ledger-circuit.db')}`,
    LEGACY_VERIFY_URL: silent.url,
  });
  const bodies = await Promise.all(Array.from({ length: 100 }, (_, i) => calloutBody(identity, USERNAME, PASSWORD, i)));
  const results = await openLoop(RATE, count, async (i) => ({ ...(await call(server.url, token, bodies[i % bodies.length]!)), sentAt: performance.now() }));
  await sleep(200); // the last request lines
  const lines = server.log.filter((line) => line.msg === 'request' && line.path === '/events/password-submit');
  const open = lines.filter((line) => line.errorCode === 'LEGACY_STORE_CIRCUIT_OPEN').map((line) => line.latencyInMs!);
  const waited = lines.filter((line) => line.errorCode !== 'LEGACY_STORE_CIRCUIT_OPEN').map((line) => line.latencyInMs!);
  const openAnswers = percentiles(open);
  await server.stop();
  report(
    'web service that never answers: circuit breaker',
    `${waited.length} answered at the deadline (max ${fixed(Math.max(...waited), 0)} ms), then ${open.length} while open: p50 ${fixed(openAnswers.p50, 2)} ms, p99 ${fixed(openAnswers.p99, 2)} ms, max ${fixed(openAnswers.max, 2)} ms (server clock)`,
    tally(results.map((result) => result.action)),
    '',
  );
}

await emulator.close();
await slapd?.stop();
webService.server.close();
silent.server.closeAllConnections();
silent.server.close();
await rm(dir, { recursive: true, force: true });
console.log('\n| store | the store alone | behind serve | the extension adds |\n|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
