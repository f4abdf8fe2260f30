/**
 * `node --import tsx bench/dashboard.bench.ts`: what one reading of the dashboard costs on a ledger of 100,000
 * pre-created accounts, in SQLite and in PostgreSQL, in process (the server shares one reading among its viewers for
 * 1 s; the page polls every 3 s): the whole reading (`dashboardFigures`), the same as the server makes it inside the
 * minute its progress hours are reused (`ProgressHistoryCache`), and its new parts alone, the progress over time from
 * the ledger (`progressHistory`, 14 days hourly) and the bulk runs.
 *
 * The ledger: accounts pre-created over the last 30 days; answers (MigratePassword, UpdatePassword, Retry, Block,
 * sign-ups) over the same days on the first half of them, a third with a legacy check time; reconciliations on every
 * third account; 200 bulk runs. BENCH_DASHBOARD_ACCOUNTS=100000, BENCH_DASHBOARD_DECISIONS=100000,
 * BENCH_DASHBOARD_KINDS=sqlite,postgres change it. No ANALYZE on SQLite: a ledger in use has none.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { dashboardFigures } from '../src/dashboard/data.js';
import { ProgressHistoryCache } from '../src/dashboard/progress-history.js';
import { openLedger, type Ledger } from '../src/ledger/index.js';
import { fixed } from './measure.js';

const ACCOUNTS = Number(process.env.BENCH_DASHBOARD_ACCOUNTS ?? 100_000);
const DECISIONS = Number(process.env.BENCH_DASHBOARD_DECISIONS ?? 100_000);
const KINDS = (process.env.BENCH_DASHBOARD_KINDS ?? 'sqlite,postgres').split(',').filter(Boolean);
const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const NOW = Date.now();
const DAY_IN_MS = 86_400_000;
const ANSWERED = Math.max(1, Math.floor(ACCOUNTS / 2));
const ACTIONS = ['MigratePassword', 'MigratePassword', 'MigratePassword', 'MigratePassword', 'MigratePassword', 'MigratePassword', 'Retry', 'UpdatePassword', 'Block', 'Retry'] as const;

const legacyId = (i: number) => `L${String(i).padStart(7, '0')}`;
const preCreatedAt = (i: number) => new Date(NOW - 30 * DAY_IN_MS + Math.floor((i / ACCOUNTS) * 29 * DAY_IN_MS)).toISOString();
const decision = (j: number) => {
  const signUp = j % 100 === 99;
  const action = signUp ? 'modifyAttributeValues' : ACTIONS[j % 10]!;
  const latency = ((j * 37) % 900) + 5;
  return {
    at: new Date(NOW - (j % 29) * DAY_IN_MS - ((j * 7919) % 86_400) * 1000).toISOString(),
    objectId: signUp ? 'sign-up' : `oid-${j % ANSWERED}`,
    legacyId: legacyId(j % ANSWERED),
    action,
    reason: signUp ? 'migrated-by-sign-up' : action === 'Retry' ? 'password-wrong' : action === 'Block' ? 'legacy-store-unavailable' : 'password-correct',
    latency,
    legacyLatency: j % 3 === 0 ? Math.round(latency * 0.6) : null,
  };
};
const confirmation = (k: number) => (k % 3 === 0 ? 'migrated-by-extension' : k % 3 === 1 ? 'migrated-by-reset' : 'pending');

function seedSqlite(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.transaction(() => {
    const account = db.prepare("INSERT INTO premigration_accounts (legacy_id, email, state, entra_object_id, reason, updated_at) VALUES (?, ?, 'created', ?, NULL, ?)");
    for (let i = 0; i < ACCOUNTS; i++) account.run(legacyId(i), `user${i}@example.com`, `oid-${i}`, preCreatedAt(i));
    const answer = db.prepare('INSERT INTO jit_decisions (at, correlation_id, object_id, legacy_id, action, reason, latency_ms, legacy_latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    for (let j = 0; j < DECISIONS; j++) {
      const d = decision(j);
      answer.run(d.at, `c-${j}`, d.objectId, d.legacyId, d.action, d.reason, d.latency, d.legacyLatency);
    }
    const reconciliation = db.prepare('INSERT INTO reconciliations (legacy_id, object_id, confirmation, confirmed_at, last_password_change_at, checked_at) VALUES (?, ?, ?, ?, NULL, ?)');
    const checkedAt = new Date(NOW - 3_600_000).toISOString();
    for (let k = 0; k * 3 < ACCOUNTS; k++) {
      const c = confirmation(k);
      reconciliation.run(legacyId(k * 3), `oid-${k * 3}`, c, c.startsWith('migrated') ? checkedAt : null, checkedAt);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

async function seedPostgres(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${schema}`);
    const now = `to_timestamp(${NOW / 1000})`;
    await client.query(
      `INSERT INTO premigration_accounts (legacy_id, email, state, entra_object_id, reason, updated_at)
       SELECT 'L' || lpad(i::text, 7, '0'), 'user' || i || '@example.com', 'created', 'oid-' || i, NULL, ${now} - interval '30 days' + (i::float / $1) * interval '29 days'
       FROM generate_series(0, $1::int - 1) i`,
      [ACCOUNTS],
    );
    await client.query(
      `INSERT INTO jit_decisions (at, correlation_id, object_id, legacy_id, action, reason, latency_ms, legacy_latency_ms)
       SELECT ${now} - (j % 29) * interval '1 day' - ((j::bigint * 7919) % 86400) * interval '1 second', 'c-' || j,
         CASE WHEN j % 100 = 99 THEN 'sign-up' ELSE 'oid-' || (j % $2::int) END, 'L' || lpad((j % $2::int)::text, 7, '0'),
         CASE WHEN j % 100 = 99 THEN 'modifyAttributeValues' WHEN j % 10 < 6 THEN 'MigratePassword' WHEN j % 10 IN (6, 9) THEN 'Retry' WHEN j % 10 = 7 THEN 'UpdatePassword' ELSE 'Block' END,
         CASE WHEN j % 100 = 99 THEN 'migrated-by-sign-up' WHEN j % 10 IN (6, 9) THEN 'password-wrong' WHEN j % 10 = 8 THEN 'legacy-store-unavailable' ELSE 'password-correct' END,
         ((j::bigint * 37) % 900) + 5, CASE WHEN j % 3 = 0 THEN round((((j::bigint * 37) % 900) + 5) * 0.6) END
       FROM generate_series(0, $1::int - 1) j`,
      [DECISIONS, ANSWERED],
    );
    await client.query(
      `INSERT INTO reconciliations (legacy_id, object_id, confirmation, confirmed_at, last_password_change_at, checked_at)
       SELECT 'L' || lpad((k * 3)::text, 7, '0'), 'oid-' || (k * 3), c, CASE WHEN c LIKE 'migrated%' THEN ${now} - interval '1 hour' END, NULL, ${now} - interval '1 hour'
       FROM (SELECT k, CASE WHEN k % 3 = 0 THEN 'migrated-by-extension' WHEN k % 3 = 1 THEN 'migrated-by-reset' ELSE 'pending' END AS c
             FROM generate_series(0, ($1::int - 1) / 3) k) r`,
      [ACCOUNTS],
    );
    for (const table of ['premigration_accounts', 'jit_decisions', 'reconciliations']) await client.query(`VACUUM ANALYZE ${table}`);
  } finally {
    await client.end();
  }
}

async function seedRuns(ledger: Ledger): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const startedAt = new Date(NOW - (200 - i) * 3_600_000);
    await ledger.recordBulkRun({ id: randomUUID(), command: i % 2 ? 'reconcile' : 'premigrate', startedAt, finishedAt: new Date(startedAt.getTime() + 600_000), outcome: 'completed', dryRun: false, counts: { read: 500, created: 490, failed: 10 }, graphRequests: 520, throttled: i % 7, budgetPerSecond: 16 });
  }
}

/** The best of five, in ms: the figure once the ledger's pages are cached, as they are for a dashboard polled every 3 s. */
async function best(work: () => Promise<unknown>): Promise<number> {
  let fastest = Number.POSITIVE_INFINITY;
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    await work();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

async function measure(kind: string, ledger: Ledger): Promise<void> {
  const now = new Date(NOW);
  const since = new Date(Math.floor(NOW / 3_600_000) * 3_600_000 - 14 * DAY_IN_MS + 3_600_000);
  const reading = await best(() => dashboardFigures({ ledger, now, deadlineInMs: 1500 }));
  const cache = new ProgressHistoryCache(ledger);
  await cache.points(now);
  const served = await best(() => dashboardFigures({ ledger, now, deadlineInMs: 1500, history: (at) => cache.points(at) }));
  const progress = await best(() => ledger.progressHistory({ since, until: now, bucketInMs: 3_600_000 }));
  const runs = await best(() => ledger.listBulkRuns({ limit: 10 }));
  const figures = await dashboardFigures({ ledger, now, deadlineInMs: 1500 });
  process.stdout.write(
    `| ${kind} | ${fixed(reading, 0)} ms | ${fixed(served, 0)} ms | ${fixed(progress, 0)} ms | ${fixed(runs, 1)} ms | ${figures.progress.preCreated.toLocaleString('en-US')} pre-created, ${figures.history.length} points |\n`,
  );
}

process.stdout.write(`Dashboard readings: ${ACCOUNTS.toLocaleString('en-US')} accounts, ${DECISIONS.toLocaleString('en-US')} answers (best of 5)\n\n`);
process.stdout.write('| ledger | whole reading | whole reading, hours past reused (the server, inside the minute) | progress over time (14 days hourly) | last 10 bulk runs | |\n|---|---|---|---|---|---|\n');
for (const kind of KINDS) {
  if (kind === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'bench-dashboard-'));
    try {
      const path = join(dir, 'ledger.db');
      await (await openLedger(`sqlite://${path}`)).close();
      seedSqlite(path);
      const ledger = await openLedger(`sqlite://${path}`);
      await seedRuns(ledger);
      await measure('SQLite', ledger).finally(() => ledger.close());
    } finally {
      if (process.env.BENCH_DASHBOARD_KEEP) await import('node:fs/promises').then((fs) => fs.copyFile(join(dir, 'ledger.db'), process.env.BENCH_DASHBOARD_KEEP!));
      await rm(dir, { recursive: true, force: true });
    }
  } else if (kind === 'postgres') {
    const schema = `bench_dashboard_${process.pid}`;
    const url = `${POSTGRES_URL}?schema=${schema}`;
    try {
      await (await openLedger(url)).close();
      await seedPostgres(schema);
      const ledger = await openLedger(url);
      await seedRuns(ledger);
      await measure('PostgreSQL', ledger).finally(() => ledger.close());
    } finally {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
    }
  }
}
