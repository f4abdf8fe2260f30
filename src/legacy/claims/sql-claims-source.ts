import Database from 'better-sqlite3';
import { createPool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import pg from 'pg';
import { LegacyStoreError, LegacyStoreErrorCode } from '../errors.js';
import type { SqlDialect } from '../stores/sql/dialect-syntax.js';
import { factsOf, storeClosed, storeTimedOut, toLegacyStoreError, type DriverFailure } from '../stores/sql/driver-error.js';
import { withLeasedConnection, type ConnectionLease } from '../stores/sql/leased-connection.js';
import { classifyMysqlError, destroyMysqlConnection } from '../stores/sql/mysql-store.js';
import { mysqlConnectionOptionsOf } from '../stores/sql/mysql-url.js';
import { compileNamedQuery, type CompiledQuery, type NamedParameterSet } from '../stores/sql/named-parameters.js';
import { sqlDialectOf } from '../stores/sql/open-sql-store.js';
import { IDLE_TIMEOUT_IN_MS, KEEP_ALIVE_INITIAL_DELAY_IN_MS, resolveTuning, type SqlLegacyStoreOptions, type SqlTuning } from '../stores/sql/options.js';
import { classifyPostgresError } from '../stores/sql/postgres-store.js';
import { redactUrl, sqlitePathOf } from '../stores/sql/url.js';
import { openWatchedFile } from '../stores/sql/watched-file.js';
import { claimsFromRow } from './check-claims.js';
import type { ClaimsCallOptions, ClaimsSubject, LegacyClaims, TokenClaimsSource } from './source.js';

/** The parameters TOKEN_CLAIMS_QUERY may name: `:objectId`, `:email`, `:legacyId`; at least one. */
export const CLAIMS_QUERY_PARAMETERS: NamedParameterSet<keyof ClaimsSubject> = {
  purpose: 'token claims',
  names: ['objectId', 'email', 'legacyId'],
  requires: 'some',
};

/** What the SQL claims source is opened with: the legacy store's URL and tuning, and TOKEN_CLAIMS_QUERY. */
export type SqlClaimsSourceOptions = SqlLegacyStoreOptions;

type Row = Record<string, unknown>;
type Values = (string | null)[];

/** One dialect's way to run the compiled query and read its first row, over the legacy store's driver code. */
interface FirstRowReader {
  firstRow(values: Values, abortSignal: AbortSignal | undefined): Promise<{ row: Row; columns: string[] } | null>;
  ping(abortSignal: AbortSignal | undefined): Promise<void>;
  close(): Promise<void>;
}

interface DriverSettings extends SqlTuning {
  url: string;
  query: CompiledQuery<keyof ClaimsSubject>;
}

/**
 * Opens TOKEN_CLAIMS_QUERY against the legacy SQL store (`sqlite:`, `postgres:`/`postgresql:`, `mysql:`/`mariadb:`,
 * as LEGACY_DATABASE_URL). The query names `:objectId`, `:email` and `:legacyId` (values travel as driver
 * parameters, never in the text); the first row is the user's claims, one per column ({@link claimsFromRow}); no row
 * is no claims. Time, pools and errors are the legacy store's: `queryTimeoutInMs` bounds each call, connection wait
 * included, an abandoned connection is destroyed, and failures are `LEGACY_STORE_*` codes. The query is compiled now
 * (`LEGACY_QUERY_INVALID` for an unknown `:name`); SQLite also prepares it against the file.
 *
 * @example
 *   const source = await openSqlClaimsSource({ url: 'postgres://reader@db/legacy', query: 'SELECT roles FROM users WHERE id = :legacyId' });
 *   await source.claimsFor({ objectId, email: null, legacyId: '42' }, { abortSignal, deadlineAt }); // { roles: ['Writer'] }
 */
export async function openSqlClaimsSource(options: SqlClaimsSourceOptions): Promise<TokenClaimsSource> {
  const dialect = sqlDialectOf(options.url);
  if (dialect === undefined) {
    throw new LegacyStoreError(LegacyStoreErrorCode.URL_INVALID, `The legacy store URL ${redactUrl(options.url)} has an unsupported scheme; use sqlite:, postgres:, postgresql:, mysql: or mariadb:.`);
  }
  const settings: DriverSettings = { url: options.url, query: compileNamedQuery(options.query, dialect, CLAIMS_QUERY_PARAMETERS), ...resolveTuning(options) };
  const reader = READERS[dialect](settings);
  return {
    kind: `sql:${dialect}`,
    async claimsFor(subject: ClaimsSubject, call: ClaimsCallOptions): Promise<LegacyClaims> {
      // A query of only :email and :legacyId, both unknown, can match nobody: no call.
      if (settings.query.order.every((name) => subject[name] === null)) return Object.freeze({});
      const found = await reader.firstRow(settings.query.order.map((name) => subject[name]), call.abortSignal);
      return found === null ? Object.freeze({}) : claimsFromRow(found.row, found.columns);
    },
    ping: (pingOptions = {}) => reader.ping(pingOptions.abortSignal),
    close: () => reader.close(),
  };
}

const READERS: Readonly<Record<SqlDialect, (settings: DriverSettings) => FirstRowReader>> = {
  sqlite: sqliteReader,
  postgres: postgresReader,
  mysql: mysqlReader,
};

/** A network driver's call: within the query timeout, the caller's abort passed through as is, else a store error. */
async function bounded<C, T>(lease: ConnectionLease<C>, use: (connection: C) => Promise<T>, settings: DriverSettings, classify: (error: unknown) => DriverFailure, abortSignal: AbortSignal | undefined): Promise<T> {
  try {
    return await withLeasedConnection(lease, use, { timeoutInMs: settings.queryTimeoutInMs, abortSignal, timeoutError: () => storeTimedOut(settings.url, settings.queryTimeoutInMs) });
  } catch (error) {
    if (abortSignal?.aborted && error === abortSignal.reason) throw error;
    throw toLegacyStoreError(error, classify(error), settings);
  }
}

/** PostgreSQL: the same pool settings as the legacy lookup store (postgres-store.ts), its own application name. */
function postgresReader(settings: DriverSettings): FirstRowReader {
  const { queryTimeoutInMs } = settings;
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.poolSize,
    connectionTimeoutMillis: queryTimeoutInMs,
    statement_timeout: queryTimeoutInMs,
    query_timeout: queryTimeoutInMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEP_ALIVE_INITIAL_DELAY_IN_MS,
    idleTimeoutMillis: IDLE_TIMEOUT_IN_MS,
    application_name: 'entra-migrate (token claims)',
    allowExitOnIdle: true,
  });
  pool.on('error', () => undefined);
  const lease: ConnectionLease<pg.PoolClient> = { acquire: () => pool.connect(), release: (client) => client.release(), destroy: (client) => client.release(true) };
  let closing: Promise<void> | undefined;
  const run = (text: string, values: Values, abortSignal: AbortSignal | undefined): Promise<pg.QueryResult<Row>> => {
    if (closing !== undefined) return Promise.reject(storeClosed(settings.url));
    return bounded(lease, (client) => client.query<Row>({ text, values }), settings, classifyPostgresError, abortSignal);
  };
  return {
    async firstRow(values, abortSignal) {
      const result = await run(settings.query.text, values, abortSignal);
      const row = result.rows[0];
      return row === undefined ? null : { row, columns: result.fields.map((field) => field.name) };
    },
    async ping(abortSignal) {
      await run('SELECT 1', [], abortSignal);
    },
    close() {
      closing ??= pool.end().catch(() => undefined);
      return closing;
    },
  };
}

/** MySQL and MariaDB: the legacy lookup store's connection options (mysql-store.ts), statements prepared on the server. */
function mysqlReader(settings: DriverSettings): FirstRowReader {
  const { queryTimeoutInMs } = settings;
  const pool = createPool({
    ...mysqlConnectionOptionsOf(settings.url),
    connectionLimit: settings.poolSize,
    maxIdle: settings.poolSize,
    idleTimeout: IDLE_TIMEOUT_IN_MS,
    connectTimeout: queryTimeoutInMs,
    enableKeepAlive: true,
    keepAliveInitialDelay: KEEP_ALIVE_INITIAL_DELAY_IN_MS,
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    bigNumberStrings: true,
    multipleStatements: false,
  });
  const lease: ConnectionLease<PoolConnection> = { acquire: () => pool.getConnection(), release: (connection) => connection.release(), destroy: destroyMysqlConnection };
  // As the lookup store: the server stops a statement at the same time (MariaDB, then MySQL's name; best effort).
  const limited = new WeakSet<object>();
  const limitStatementTime = async (connection: PoolConnection): Promise<void> => {
    if (limited.has(connection.connection)) return;
    limited.add(connection.connection);
    await connection.query(`SET SESSION max_statement_time = ${queryTimeoutInMs / 1000}`).catch(() =>
      connection.query(`SET SESSION max_execution_time = ${queryTimeoutInMs}`).catch(() => undefined),
    );
  };
  let closing: Promise<void> | undefined;
  const run = (sql: string, values: Values, abortSignal: AbortSignal | undefined) => {
    if (closing !== undefined) return Promise.reject(storeClosed(settings.url));
    const execute = async (connection: PoolConnection) => {
      await limitStatementTime(connection);
      return connection.execute<RowDataPacket[]>({ sql, timeout: queryTimeoutInMs }, values);
    };
    return bounded(lease, execute, settings, classifyMysqlError, abortSignal);
  };
  return {
    async firstRow(values, abortSignal) {
      const [rows, fields] = await run(settings.query.text, values, abortSignal);
      const row = rows[0];
      return row === undefined ? null : { row: { ...row }, columns: fields.map((field) => field.name) };
    },
    async ping(abortSignal) {
      await run('SELECT 1', [], abortSignal);
    },
    close() {
      closing ??= pool.end().catch(() => undefined);
      return closing;
    },
  };
}

/**
 * SQLite: the file opened read-only and watched as the legacy lookup store watches it (sqlite-store.ts); the query
 * prepared at once, so a syntax error or a missing table fails at start-up. SQLite runs on the event loop and cannot
 * be interrupted: keep the query on an index.
 */
function sqliteReader(settings: DriverSettings): FirstRowReader {
  const path = sqlitePathOf(settings.url);
  const shown = redactUrl(settings.url);
  if (path === ':memory:') throw new LegacyStoreError(LegacyStoreErrorCode.URL_INVALID, 'The token claims query cannot read an in-memory SQLite database (sqlite::memory:): it would be empty.');
  const classify = (error: unknown): DriverFailure => {
    const { code } = factsOf(error);
    if (code === undefined || !code.startsWith('SQLITE_') || code === 'SQLITE_ERROR' || code === 'SQLITE_RANGE' || code === 'SQLITE_MISMATCH') return 'query-invalid';
    return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') ? 'timeout' : 'unavailable';
  };
  const open = (current: string): { db: Database.Database; query: Database.Statement<unknown[], Row> } => {
    let db: Database.Database;
    try {
      db = new Database(current, { readonly: true, fileMustExist: true, timeout: 50 });
    } catch (error) {
      throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `Cannot open the SQLite legacy store ${shown}.`, { detail: `Cannot open the SQLite legacy store ${shown}: ${factsOf(error).message}`, cause: error });
    }
    try {
      const query = db.prepare<unknown[], Row>(settings.query.text);
      if (!query.reader) throw new LegacyStoreError(LegacyStoreErrorCode.QUERY_INVALID, 'The token claims query returns no rows; it must be a SELECT.');
      query.safeIntegers(true); // 64-bit values arrive as bigint, never rounded
      return { db, query };
    } catch (error) {
      db.close();
      throw toLegacyStoreError(error, classify(error), settings);
    }
  };
  const file = openWatchedFile({
    path,
    open,
    close: (opened) => opened.db.close(),
    checkIntervalInMs: settings.fileCheckIntervalInMs,
    now: settings.now,
    unavailable: (problem, cause) => new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `The SQLite legacy store ${shown} is ${problem}.`, { cause }),
  });
  let closed = false;
  const run = <T>(abortSignal: AbortSignal | undefined, work: (opened: ReturnType<typeof open>) => T): Promise<T> => {
    if (closed) return Promise.reject(storeClosed(settings.url));
    if (abortSignal?.aborted) return Promise.reject(abortSignal.reason);
    try {
      return Promise.resolve(work(file.current()));
    } catch (error) {
      return Promise.reject(toLegacyStoreError(error, classify(error), settings));
    }
  };
  return {
    firstRow: (values, abortSignal) =>
      run(abortSignal, ({ query }) => {
        const row = query.get(...values);
        return row === undefined ? null : { row, columns: query.columns().map((column) => column.name) };
      }),
    ping: (abortSignal) => run(abortSignal, ({ db }) => void db.prepare('SELECT 1').get()),
    async close() {
      if (closed) return;
      closed = true;
      file.close();
    },
  };
}
