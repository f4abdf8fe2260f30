import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import type { SqlDialect } from './dialect-syntax.js';
import { withDeadline } from './deadline.js';
import { factsOf } from './driver-error.js';
import { classifyMysqlError, destroyMysqlConnection } from './mysql-store.js';
import { mysqlConnectionOptionsOf } from './mysql-url.js';
import { compileNamedQuery, type NamedParameterSet } from './named-parameters.js';
import { KEEP_ALIVE_INITIAL_DELAY_IN_MS } from './options.js';
import { classifyPostgresError } from './postgres-store.js';
import { redactUrl, schemeOf, sqlitePathOf } from './url.js';

export interface SqlExportOptions {
  /** The legacy store's URL, as for the lookup store. */
  url: string;
  /**
   * `LEGACY_EXPORT_QUERY`: a SELECT of the accounts to export, without ORDER BY or LIMIT and without parameters,
   * e.g. `SELECT id, email, display_name FROM users WHERE deleted = 0`. It is read in pages ordered by `keyColumn`.
   */
  query: string;
  /** The column the pages are keyed and ordered on: unique and indexed. Default `id`. */
  keyColumn?: string;
  /** Rows per page. Default 1000. */
  pageSize?: number;
  /** How long one page may take. Default 60 s. */
  pageTimeoutInMs?: number;
}

type Row = Record<string, unknown>;

/** Runs one page: `after` is the last key of the previous page, undefined for the first. */
type PageReader = { page(after: unknown, limit: number): Promise<Row[]>; count(): Promise<number>; close(): Promise<void> };

const NO_PARAMETERS: NamedParameterSet<never> = { purpose: 'export', names: [], requires: 'none' };
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const DEFAULT_PAGE_SIZE = 1000;
const PAGE_SIZE_MAX = 10_000;
const DEFAULT_PAGE_TIMEOUT_IN_MS = 60_000;

/**
 * Streams the rows of `LEGACY_EXPORT_QUERY` with keyset pagination: each page is
 * `SELECT * FROM (<query>) WHERE key > :after ORDER BY key LIMIT :limit`, so memory holds one page and a page costs
 * an index range scan however far into the table it is (OFFSET would rescan every row before it). The databases
 * push the key condition into the subquery (PostgreSQL, SQLite flatten it; MariaDB and MySQL 8.0.22+ push it down).
 * Values travel as driver parameters, never in the text. Rows come back as the driver returns them; SQLite's
 * 64-bit integers as bigint.
 *
 * @example
 *   for await (const row of readSqlExport({ url: 'postgres://reader@db/legacy', query: 'SELECT id, email FROM users' })) …
 */
export async function* readSqlExport(options: SqlExportOptions): AsyncGenerator<Row> {
  const keyColumn = options.keyColumn ?? 'id';
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const timeoutInMs = options.pageTimeoutInMs ?? DEFAULT_PAGE_TIMEOUT_IN_MS;
  if (!COLUMN_NAME.test(keyColumn)) throw invalidOption(`The export key column must be a plain column name; got ${JSON.stringify(keyColumn.slice(0, 64))}.`);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > PAGE_SIZE_MAX) throw invalidOption(`The export page size must be a whole number from 1 to ${PAGE_SIZE_MAX}; got ${String(pageSize)}.`);
  const reader = await openPageReader(options.url, pagedQueries(options.query, keyColumn, dialectOf(options.url)), timeoutInMs);
  try {
    let after: unknown;
    for (;;) {
      const rows = await reader.page(after, pageSize);
      if (rows.length > pageSize) throw invalidQuery(`returned ${rows.length} rows for a page of ${pageSize}`);
      for (const row of rows) yield row;
      if (rows.length < pageSize) return;
      const last = rows.at(-1)![keyColumn];
      if (last === undefined || last === null) throw invalidQuery(`returns no ${keyColumn} column (or a null one) to page on; select it, or name the key column`);
      after = last;
    }
  } finally {
    await reader.close();
  }
}

interface PagedQueries {
  dialect: SqlDialect;
  first: string;
  next: string;
  count: string;
}

/** The first page's query (no key condition) and the next pages', in the dialect's placeholders. */
function pagedQueries(query: string, keyColumn: string, dialect: SqlDialect): PagedQueries {
  compileNamedQuery(query, dialect, NO_PARAMETERS); // refuses parameters, placeholders and unterminated text
  const body = query.trim().replace(/;(?:\s|--[^\n]*)*$/, ''); // a final `;`, perhaps followed by comments
  if (body.includes(';')) {
    // A `;` inside a string would be fine, but a second statement is not: keep it simple and refuse both.
    throw invalidQuery('holds a ";": give one SELECT statement');
  }
  const key = dialect === 'mysql' ? `\`${keyColumn}\`` : `"${keyColumn}"`;
  const [afterParameter, firstLimit, nextLimit] = dialect === 'postgres' ? ['$1', '$1', '$2'] : ['?', '?', '?'];
  // The query sits on lines of its own, so a trailing `-- comment` cannot swallow the closing parenthesis.
  const from = `SELECT * FROM (\n${body}\n) legacy_export`;
  return {
    dialect,
    first: `${from} ORDER BY ${key} LIMIT ${firstLimit}`,
    next: `${from} WHERE ${key} > ${afterParameter} ORDER BY ${key} LIMIT ${nextLimit}`,
    count: `SELECT count(*) AS n FROM (\n${body}\n) legacy_export`,
  };
}

/**
 * How many rows `LEGACY_EXPORT_QUERY` selects, for a progress bar's total: one `count(*)` over the query, which
 * costs a scan of what it selects (an index-only scan on PostgreSQL when it can).
 *
 * @example
 *   const total = await countSqlExport({ url, query });
 */
export async function countSqlExport(options: SqlExportOptions): Promise<number> {
  const reader = await openPageReader(options.url, pagedQueries(options.query, options.keyColumn ?? 'id', dialectOf(options.url)), options.pageTimeoutInMs ?? DEFAULT_PAGE_TIMEOUT_IN_MS);
  try {
    return await reader.count();
  } finally {
    await reader.close();
  }
}

function dialectOf(url: string): SqlDialect {
  const scheme = schemeOf(url);
  if (scheme === 'sqlite') return 'sqlite';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'mysql' || scheme === 'mariadb') return 'mysql';
  throw new LegacyStoreError(LegacyStoreErrorCode.URL_INVALID, `The legacy store URL ${redactUrl(url)} has an unsupported scheme; use sqlite:, postgres:, postgresql:, mysql: or mariadb:.`);
}

async function openPageReader(url: string, queries: PagedQueries, timeoutInMs: number): Promise<PageReader> {
  const fail = (error: unknown): never => {
    if (error instanceof LegacyStoreError) throw error;
    const classify = queries.dialect === 'mysql' ? classifyMysqlError : classifyPostgresError;
    if (queries.dialect !== 'sqlite' && classify(error) === 'timeout') throw exportTimedOut(url, timeoutInMs);
    const facts = factsOf(error);
    const unavailable = facts.code !== undefined && /^(E[A-Z]+|28P01|3D000|ER_ACCESS_DENIED_ERROR|ER_BAD_DB_ERROR|SQLITE_CANTOPEN)$/.test(facts.code);
    throw new LegacyStoreError(
      unavailable ? LegacyStoreErrorCode.UNAVAILABLE : LegacyStoreErrorCode.QUERY_INVALID,
      `The legacy export query failed against ${redactUrl(url)}: ${facts.message.slice(0, 300)}`,
      { cause: error },
    );
  };
  try {
    if (queries.dialect === 'sqlite') return openSqlitePages(url, queries);
    if (queries.dialect === 'postgres') return await openPostgresPages(url, queries, timeoutInMs, fail);
    return await openMysqlPages(url, queries, timeoutInMs, fail);
  } catch (error) {
    return fail(error);
  }
}

function openSqlitePages(url: string, queries: PagedQueries): PageReader {
  const path = sqlitePathOf(url);
  if (path === ':memory:') throw new LegacyStoreError(LegacyStoreErrorCode.URL_INVALID, 'An export cannot read an in-memory SQLite database (sqlite::memory:): it would be empty.');
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const first = db.prepare<unknown[], Row>(queries.first).safeIntegers(true);
    const next = db.prepare<unknown[], Row>(queries.next).safeIntegers(true);
    const count = db.prepare<unknown[], { n: number }>(queries.count);
    return {
      page: async (after, limit) => (after === undefined ? first.all(limit) : next.all(after, limit)),
      count: async () => Number(count.get()!.n),
      close: async () => void db.close(),
    };
  } catch (error) {
    db.close();
    throw error;
  }
}

async function openPostgresPages(url: string, queries: PagedQueries, timeoutInMs: number, fail: (error: unknown) => never): Promise<PageReader> {
  // query_timeout: a page that never comes back (a stalled connection) fails instead of waiting forever; the client
  // is then ended, which destroys the socket of a query still active (pg Client#end).
  const client = new pg.Client({
    connectionString: url,
    statement_timeout: timeoutInMs,
    query_timeout: timeoutInMs,
    connectionTimeoutMillis: timeoutInMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEP_ALIVE_INITIAL_DELAY_IN_MS,
    application_name: 'entra-migrate (legacy export)',
  });
  client.on('error', () => undefined);
  await client.connect();
  return {
    page: async (after, limit) => {
      try {
        const result = after === undefined ? await client.query(queries.first, [limit]) : await client.query(queries.next, [after, limit]);
        return result.rows as Row[];
      } catch (error) {
        return fail(error);
      }
    },
    count: async () => {
      try {
        return Number((await client.query<{ n: string }>(queries.count)).rows[0]!.n);
      } catch (error) {
        return fail(error);
      }
    },
    close: () => client.end().catch(() => undefined),
  };
}

async function openMysqlPages(url: string, queries: PagedQueries, timeoutInMs: number, fail: (error: unknown) => never): Promise<PageReader> {
  const connection = await mysql.createConnection({
    ...mysqlConnectionOptionsOf(url),
    connectTimeout: timeoutInMs,
    enableKeepAlive: true,
    keepAliveInitialDelay: KEEP_ALIVE_INITIAL_DELAY_IN_MS,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  connection.on('error', () => undefined);
  // Each statement is bounded as a whole: mysql2's own `timeout` does not cover the PREPARE that `execute` sends
  // first. After a failure (a timed-out statement may still be on the wire) the connection is destroyed: a polite
  // end() would queue its goodbye behind the statement that never finishes.
  let failed = false;
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await withDeadline(work, { timeoutInMs, timeoutError: () => exportTimedOut(url, timeoutInMs) });
    } catch (error) {
      failed = true;
      return fail(error);
    }
  };
  return {
    // The limit travels as text: MySQL 8's prepared statements refuse a JavaScript number for LIMIT.
    page: (after, limit) =>
      run(async () => {
        const [rows] =
          after === undefined
            ? await connection.execute<mysql.RowDataPacket[]>({ sql: queries.first, timeout: timeoutInMs }, [String(limit)])
            : await connection.execute<mysql.RowDataPacket[]>({ sql: queries.next, timeout: timeoutInMs }, [after as string | number, String(limit)]);
        return rows as Row[];
      }),
    count: () =>
      run(async () => {
        const [rows] = await connection.execute<mysql.RowDataPacket[]>({ sql: queries.count, timeout: timeoutInMs });
        return Number(rows[0]!.n);
      }),
    close: async () => (failed ? destroyMysqlConnection(connection) : connection.end().catch(() => undefined)),
  };
}

/** A page or count that did not finish within the page timeout. */
function exportTimedOut(url: string, timeoutInMs: number): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.TIMEOUT, `A page of the legacy export from ${redactUrl(url)} took longer than ${timeoutInMs} ms.`);
}

function invalidQuery(what: string): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.QUERY_INVALID, `The legacy export query ${what}.`);
}

function invalidOption(message: string): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.OPTIONS_INVALID, message);
}
