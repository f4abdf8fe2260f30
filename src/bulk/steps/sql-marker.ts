import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../legacy/errors.js';
import type { SqlDialect } from '../../legacy/stores/sql/dialect-syntax.js';
import { factsOf } from '../../legacy/stores/sql/driver-error.js';
import { mysqlConnectionOptionsOf } from '../../legacy/stores/sql/mysql-url.js';
import { compileNamedQuery, type CompiledQuery, type NamedParameterSet } from '../../legacy/stores/sql/named-parameters.js';
import { sqlDialectOf } from '../../legacy/stores/sql/open-sql-store.js';
import { redactUrl, sqlitePathOf, withoutUrlPassword } from '../../legacy/stores/sql/url.js';
import type { LegacyMarker, MigratedAccount } from './legacy-marker.js';

/** The setting, for messages. */
export const MARK_MIGRATED_QUERY = 'LEGACY_MARK_MIGRATED_QUERY';

type MarkParameter = 'legacyId' | 'objectId' | 'migratedAt';

/** What `LEGACY_MARK_MIGRATED_QUERY` may name: `:legacyId`, `:objectId`, `:migratedAt`. */
export const MARK_PARAMETERS: NamedParameterSet<MarkParameter> = { purpose: 'mark-migrated', names: ['legacyId', 'objectId', 'migratedAt'], requires: 'some' };

/** 15 s: one UPDATE or DELETE by key takes milliseconds; this only ends a wait that will never be answered. */
const STATEMENT_TIMEOUT_IN_MS = 15_000;
/** Marks in flight at once per legacy database: reconcile's batches in flight, never more. */
const POOL_SIZE = 4;

/**
 * Compiles `LEGACY_MARK_MIGRATED_QUERY` for the legacy database's dialect, refusing what would mark the wrong
 * accounts: a query naming neither `:legacyId` nor `:objectId` would touch the same rows for every account.
 * Throws `LEGACY_QUERY_INVALID` or `LEGACY_URL_INVALID`.
 *
 * @example
 *   compileMarkQuery('UPDATE users SET migrated_at = :migratedAt WHERE id = :legacyId', 'postgres://…')
 *   // { text: 'UPDATE users SET migrated_at = $1 WHERE id = $2', order: ['migratedAt', 'legacyId'] }
 */
export function compileMarkQuery(sql: string, url: string): CompiledQuery<MarkParameter> {
  const compiled = compileNamedQuery(sql, dialectOf(url), MARK_PARAMETERS);
  if (!compiled.order.includes('legacyId') && !compiled.order.includes('objectId')) {
    throw new LegacyStoreError(LegacyStoreErrorCode.QUERY_INVALID, 'The legacy mark-migrated query uses neither :legacyId nor :objectId, so it would mark the same rows for every account.');
  }
  return compiled;
}

/**
 * Runs `LEGACY_MARK_MIGRATED_QUERY` against `LEGACY_DATABASE_URL` (SQLite, PostgreSQL, MySQL/MariaDB), once per
 * account, values as driver parameters: `:legacyId` and `:objectId` as text, `:migratedAt` as ISO 8601 UTC text
 * (`2026-11-24T12:00:00.000Z`). A failure rejects with one line naming the setting and the driver's reason.
 *
 * @example
 *   const marker = await openSqlMarker(process.env.LEGACY_DATABASE_URL!, 'UPDATE users SET migrated = 1 WHERE id = :legacyId');
 *   await marker.mark({ legacyId: '42', objectId, migratedAt: new Date() });
 */
export async function openSqlMarker(url: string, sql: string): Promise<LegacyMarker> {
  const query = compileMarkQuery(sql, url);
  const valuesOf = (account: MigratedAccount) =>
    query.order.map((name) => (name === 'migratedAt' ? account.migratedAt.toISOString() : account[name]));
  const failed = (error: unknown): never => {
    const facts = factsOf(error);
    const reason = withoutUrlPassword(`${facts.code ? `${facts.code}: ` : ''}${facts.message}`, url).replace(/\s+/g, ' ').slice(0, 300);
    throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `${MARK_MIGRATED_QUERY} failed against ${redactUrl(url)}: ${reason}`, { cause: error });
  };
  const run = await runnerOf(url, query.text);
  return {
    async mark(account) {
      try {
        await run(valuesOf(account));
      } catch (error) {
        failed(error);
      }
    },
    close: () => run.close(),
  };
}

type Runner = ((values: unknown[]) => Promise<void>) & { close(): Promise<void> };

async function runnerOf(url: string, text: string): Promise<Runner> {
  switch (dialectOf(url)) {
    case 'sqlite': {
      const path = sqlitePathOf(url);
      const db = new Database(path, { fileMustExist: path !== ':memory:', timeout: STATEMENT_TIMEOUT_IN_MS });
      // Prepared at the first mark, as the servers' drivers do: a query naming a missing table is a failed mark, listed.
      let statement: Database.Statement | undefined;
      return Object.assign(async (values: unknown[]) => void (statement ??= db.prepare(text)).run(...values), { close: async () => void db.close() });
    }
    case 'postgres': {
      const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, statement_timeout: STATEMENT_TIMEOUT_IN_MS, query_timeout: STATEMENT_TIMEOUT_IN_MS, connectionTimeoutMillis: STATEMENT_TIMEOUT_IN_MS, application_name: 'entra-migrate (mark migrated)' });
      pool.on('error', () => undefined);
      return Object.assign(async (values: unknown[]) => void (await pool.query(text, values)), { close: () => pool.end().catch(() => undefined) });
    }
    case 'mysql': {
      const pool = mysql.createPool({
        ...mysqlConnectionOptionsOf(url),
        connectionLimit: POOL_SIZE,
        connectTimeout: STATEMENT_TIMEOUT_IN_MS,
      });
      return Object.assign(async (values: unknown[]) => void (await pool.execute({ sql: text, timeout: STATEMENT_TIMEOUT_IN_MS }, values as string[])), { close: () => pool.end().catch(() => undefined) });
    }
  }
}

function dialectOf(url: string): SqlDialect {
  const dialect = sqlDialectOf(url);
  if (dialect !== undefined) return dialect;
  throw new LegacyStoreError(LegacyStoreErrorCode.URL_INVALID, `LEGACY_DATABASE_URL ${redactUrl(url)} has an unsupported scheme for ${MARK_MIGRATED_QUERY}; use sqlite:, postgres:, postgresql:, mysql: or mariadb:.`);
}
