/**
 * The scale bench's ledger: a database of its own on the shared PostgreSQL (`bench_scale_<pid>`), created at the
 * start (the replicas apply the ledger's migrations to it, as in production) and dropped at the end, so nothing of a
 * run is left on a server other tests use, and no other run's rows are counted.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { cpuTimeInMs } from '../measure.js';

export interface BenchDatabase {
  /** LEDGER_DATABASE_URL for the replicas. */
  url: string;
  name: string;
  /** Rows of jit_decisions by correlation id (0 rows before the replicas have created the table). */
  decisionsByCorrelationId(): Promise<Map<string, number>>;
  /** CPU time of the server processes serving this database's connections (the replicas' pools), in ms. */
  backendCpuTimeInMs(): Promise<number>;
  /** Closes this process's connection and drops the database (WITH (FORCE): a killed replica may hold a connection). */
  drop(): Promise<void>;
}

/** Creates `bench_scale_<pid>` through `adminUrl` (a database the user may connect to, e.g. …/test). */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `bench_scale_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl, application_name: 'entra-migrate bench:scale' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); // a run killed with SIGKILL under the same pid
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const own = new pg.Client({ connectionString: url.href, application_name: 'entra-migrate bench:scale' });
  await own.connect();

  return {
    url: url.href,
    name,
    async decisionsByCorrelationId() {
      const exists = await own.query(`SELECT to_regclass('jit_decisions') IS NOT NULL AS present`);
      if (!exists.rows[0].present) return new Map();
      const result = await own.query<{ correlation_id: string; rows: string }>('SELECT correlation_id, count(*) AS rows FROM jit_decisions GROUP BY correlation_id');
      return new Map(result.rows.map((row) => [row.correlation_id, Number(row.rows)]));
    },
    async backendCpuTimeInMs() {
      const result = await own.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      let total = 0;
      for (const { pid } of result.rows) {
        try {
          total += cpuTimeInMs(pid);
        } catch {
          // a backend that ended between the query and the read
        }
      }
      return total;
    },
    async drop() {
      await own.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/**
 * Waits until the ledger has stopped growing: the row count unchanged for `quietInMs` once at least `expected` rows
 * are there, or `maxInMs` in all. Ledger writes may be batched behind the answers (write-behind), and the replicas'
 * SIGTERM drains flush them, so the count is read only once it has settled.
 */
export async function settledDecisions(database: BenchDatabase, expected: number, { maxInMs = 10_000, quietInMs = 1000 } = {}): Promise<{ rows: Map<string, number>; waitedMs: number }> {
  const started = performance.now();
  let rows = await database.decisionsByCorrelationId();
  let total = sum(rows);
  let changedAt = performance.now();
  while (performance.now() - started < maxInMs) {
    if (total >= expected && performance.now() - changedAt >= quietInMs) break;
    await sleep(200);
    rows = await database.decisionsByCorrelationId();
    const now = sum(rows);
    if (now !== total) (total = now), (changedAt = performance.now());
  }
  return { rows, waitedMs: performance.now() - started };
}

function sum(rows: Map<string, number>): number {
  let total = 0;
  for (const count of rows.values()) total += count;
  return total;
}
