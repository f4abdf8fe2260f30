import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SERVICES, skipUnlessService } from './services.js';

/** One ledger driver the ledger's tests run against: why it is skipped (false: it runs), its URL, its clean-up. */
export interface LedgerKind {
  name: 'memory' | 'sqlite' | 'postgres';
  skip: () => Promise<string | false>;
  url: () => Promise<string>;
  cleanUp: () => Promise<void>;
}

/**
 * The ledger drivers a suite runs against: a SQLite file in a temporary folder of its own, and a PostgreSQL schema
 * named after the suite and this process (dropped by `cleanUp`), so that suites running at once never share tables.
 * With `memory`, the in-memory SQLite ledger first.
 *
 * @example
 *   for (const kind of ledgerKinds('reconcile')) describe(kind.name, { skip: await kind.skip() }, () => { … });
 */
export function ledgerKinds(suite: string, options: { memory?: boolean; sqlitePath?: string[] } = {}): LedgerKind[] {
  const schema = `ledger_${suite.replace(/\W+/g, '_')}_${process.pid}_${Date.now()}`;
  let sqliteDir: string | undefined;
  const kinds: LedgerKind[] = [
    {
      name: 'sqlite',
      skip: async () => false,
      url: async () => {
        sqliteDir ??= await mkdtemp(join(tmpdir(), `ledger-${suite}-`));
        return `sqlite://${join(sqliteDir, ...(options.sqlitePath ?? ['ledger.db']))}`;
      },
      cleanUp: async () => {
        if (sqliteDir) await rm(sqliteDir, { recursive: true, force: true });
      },
    },
    {
      name: 'postgres',
      skip: () => skipUnlessService('postgres'),
      url: async () => `${SERVICES.postgres.url}?schema=${schema}`,
      cleanUp: async () => {
        const client = new pg.Client({ connectionString: SERVICES.postgres.url });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).finally(() => client.end());
      },
    },
  ];
  return options.memory ? [{ name: 'memory', skip: async () => false, url: async () => 'memory:', cleanUp: async () => {} }, ...kinds] : kinds;
}
