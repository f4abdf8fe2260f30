/**
 * OnTokenIssuanceStart at Entra's per-tenant cap: a real server (buildServer, listening on loopback) with a
 * TOKEN_CLAIMS_QUERY on SQLite (and PostgreSQL when it is up), driven open-loop at 50 requests a second for about
 * 20 s per run with valid caller tokens, the claims cache off and then on. Prints p50/p99 latency, the answers'
 * reasons and the cache's hit rate.
 *
 *   npm run bench:token-claims            # BENCH_SECONDS=5 for a quick look
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createLogger } from '../src/common/logger.js';
import { createTenant, mintCalloutToken, type EmulatedTenant } from '../src/emulator/index.js';
import type { EventOutcome } from '../src/handlers/index.js';
import { DEFAULT_MESSAGES } from '../src/jit/index.js';
import { cachedClaimsSource, openSqlClaimsSource, type CachedClaimsSource } from '../src/legacy/claims/index.js';
import { createPasswordVerifier } from '../src/legacy/hashes/index.js';
import { createMemoryLegacyStore, hashStoreAuthority } from '../src/legacy/index.js';
import { createCallerTokenVerifier, createSigningKeySource, generateDecryptionKey, loadKeyRing } from '../src/security/index.js';
import { buildServer } from '../src/server/index.js';
import { SERVICES, skipUnlessService } from '../test/support/services.js';
import { openLoop } from './callouts.js';
import { fixed, percentiles } from './measure.js';

const RATE = 50; // Entra's cap: 50 extension calls a second per tenant
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const USERS = 10_000; // rows in the legacy table
const ACTIVE_USERS = 300; // users signing in during a run: each gets several tokens (id, access, refresh)
const APP_ID = '3c5e2a1b-8f4d-4b6a-9e7c-1d2f3a4b5c6d';
const BASE = 'http://127.0.0.1:9';
const TABLE = `bench_claims_${process.pid}`;
const QUERY = `SELECT roles, department, employee_no AS "employeeNumber" FROM ${TABLE} WHERE id = :legacyId`;
const fixture = JSON.parse(readFileSync(new URL('../test/fixtures/entra/token-issuance-start.request.json', import.meta.url), 'utf8'));

const objectIds = Array.from({ length: USERS }, () => randomUUID());
const legacyIds = new Map<string, string>(objectIds.map((objectId, i) => [objectId, String(i + 1)]));
const rowOf = (i: number) => [i + 1, JSON.stringify(['Reader', i % 7 === 0 ? 'Editor' : 'Commenter']), `Department ${i % 40}`, `E${100000 + i}`];

function sqliteDatabase(dir: string): string {
  const path = join(dir, 'legacy.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE ${TABLE} (id INTEGER PRIMARY KEY, roles TEXT, department TEXT, employee_no TEXT)`);
  const insert = db.prepare(`INSERT INTO ${TABLE} VALUES (?, ?, ?, ?)`);
  db.transaction(() => objectIds.forEach((_id, i) => insert.run(...rowOf(i))))();
  db.close();
  return `sqlite://${path}`;
}

async function postgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const client = new pg.Client({ connectionString: SERVICES.postgres.url });
  await client.connect();
  await client.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await client.query(`CREATE TABLE ${TABLE} (id bigint PRIMARY KEY, roles text, department text, employee_no text)`);
  for (let start = 0; start < USERS; start += 1000) {
    const rows = objectIds.slice(start, start + 1000).map((_id, k) => rowOf(start + k));
    await client.query(`INSERT INTO ${TABLE} SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])`, [0, 1, 2, 3].map((c) => rows.map((row) => row[c])));
  }
  await client.end();
  return {
    url: SERVICES.postgres.url,
    drop: async () => {
      const again = new pg.Client({ connectionString: SERVICES.postgres.url });
      await again.connect();
      await again.query(`DROP TABLE IF EXISTS ${TABLE}`);
      await again.end();
    },
  };
}

interface RunResult {
  label: string;
  latencies: number[];
  statuses: Map<string, number>;
  reasons: Map<string, number>;
  cache: ReturnType<CachedClaimsSource['stats']>;
}

async function run(label: string, tenant: EmulatedTenant, url: string, cacheSeconds: number): Promise<RunResult> {
  const claims = cachedClaimsSource(await openSqlClaimsSource({ url, query: QUERY, queryTimeoutInMs: 1000 }), { ttlInMs: cacheSeconds * 1000, now: Date.now });
  const key = await generateDecryptionKey();
  const metadataUrl = `${BASE}/${tenant.tenantId}/v2.0/.well-known/openid-configuration`;
  const fetchMetadata = (async (input: string | URL | Request) => {
    const target = String(input);
    if (target === metadataUrl) return Response.json(tenant.openIdConfiguration(BASE));
    if (target === `${BASE}/${tenant.tenantId}/discovery/v2.0/keys`) return Response.json(tenant.jwks());
    return new Response('', { status: 404 });
  }) as typeof globalThis.fetch;
  const verifier = createPasswordVerifier();
  const reasons = new Map<string, number>();
  const app = await buildServer({
    logger: createLogger({ level: 'warn', destination: new Writable({ write: (_chunk, _encoding, done) => done() }) }),
    clock: Date.now,
    callerTokenVerifier: createCallerTokenVerifier({ tenantId: tenant.tenantId, extensionAppId: APP_ID, keySource: createSigningKeySource({ openIdConfigurationUrls: [metadataUrl], fetch: fetchMetadata }) }),
    passwordSubmit: {
      tenantId: tenant.tenantId,
      extensionAppId: APP_ID,
      keyRing: loadKeyRing([{ pem: key.privateKeyPem + key.certificatePem, source: 'bench' }]),
      legacy: hashStoreAuthority(createMemoryLegacyStore([]), verifier),
      messages: DEFAULT_MESSAGES,
      clock: Date.now,
      responseDeadlineInMs: 1500,
    },
    readiness: [],
    onOutcome: () => undefined,
    tokenIssuanceStart: {
      deps: {
        tenantId: tenant.tenantId,
        clock: Date.now,
        responseDeadlineInMs: 1500,
        legacyIdOf: async (objectId) => legacyIds.get(objectId) ?? null,
        claims,
        onLegacyFailure: 'empty',
      },
    },
    onEventOutcome: (outcome: EventOutcome) => reasons.set(outcome.reason, (reasons.get(outcome.reason) ?? 0) + 1),
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  // A pool of caller tokens minted up front: Entra signs them, not us, so their cost is not ours to measure.
  const tokens = await Promise.all(Array.from({ length: 20 }, () => mintCalloutToken(tenant, { audience: APP_ID, now: Date.now() })));
  const bodies = objectIds.slice(0, ACTIVE_USERS).map((objectId) => {
    const body = structuredClone(fixture);
    body.data.tenantId = tenant.tenantId;
    body.data.authenticationContext.correlationId = randomUUID();
    body.data.authenticationContext.user.id = objectId;
    return JSON.stringify(body);
  });
  const statuses = new Map<string, number>();
  // Warm-up: connections to the database and the server, the JIT; not measured, and the cache emptied after.
  for (let i = 0; i < 20; i++) await send(address, tokens[i % tokens.length]!, bodies[(i * 7919) % bodies.length]!);
  const warm = claims.stats();
  reasons.clear();
  const latencies = await openLoop(RATE, RATE * SECONDS, async (i) => {
    const t0 = performance.now();
    const status = await send(address, tokens[i % tokens.length]!, bodies[Math.floor(Math.random() * bodies.length)]!);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    return performance.now() - t0;
  });
  const after = claims.stats();
  await app.close();
  await claims.close();
  await verifier.close();
  return { label, latencies, statuses, reasons, cache: { hits: after.hits - warm.hits, misses: after.misses - warm.misses, joined: after.joined - warm.joined, entries: after.entries } };
}

async function send(address: string, token: string, body: string): Promise<string> {
  const response = await fetch(`${address}/events/token-issuance-start`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
  await response.arrayBuffer();
  return String(response.status);
}

function report(result: RunResult): void {
  const { p50, p99, max } = percentiles(result.latencies);
  const total = result.cache.hits + result.cache.misses;
  const hitRate = total === 0 ? 0 : (100 * result.cache.hits) / total;
  const tally = (counts: Map<string, number>) => [...counts].map(([name, n]) => `${name} ${n}`).join(', ');
  console.log(
    `${result.label.padEnd(24)} load ${fixed(loadavg()[0]!, 1)}  n=${result.latencies.length}  p50 ${fixed(p50, 2)} ms  p99 ${fixed(p99, 2)} ms  max ${fixed(max, 1)} ms  ` +
      `cache hits ${fixed(hitRate, 0)}% (${result.cache.hits}/${total})  status: ${tally(result.statuses)}  reasons: ${tally(result.reasons)}`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'bench-token-claims-'));
try {
  const tenant = await createTenant();
  // The driver and the server share this process and the machine: a load average above the CPU count skews the figures.
  console.log(`OnTokenIssuanceStart, ${RATE} req/s for ${SECONDS} s per run, ${ACTIVE_USERS} active users of ${USERS}, query: ${QUERY}`);
  const sqlite = sqliteDatabase(dir);
  report(await run('SQLite, cache off', tenant, sqlite, 0));
  report(await run('SQLite, cache 300 s', tenant, sqlite, 300));
  const skip = await skipUnlessService('postgres');
  if (skip) {
    console.log(`PostgreSQL skipped: ${skip}`);
  } else {
    const postgres = await postgresDatabase();
    try {
      report(await run('PostgreSQL, cache off', tenant, postgres.url, 0));
      report(await run('PostgreSQL, cache 300 s', tenant, postgres.url, 300));
    } finally {
      await postgres.drop();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
