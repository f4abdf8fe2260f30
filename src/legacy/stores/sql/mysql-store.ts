import { createPool, type FieldPacket, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import type { LegacyAccount, LegacyLookup, LegacyStore, LegacyStoreCallOptions } from '../../store.js';
import { factsOf, NETWORK_ERROR_CODES, storeClosed, storeTimedOut, toLegacyStoreError, type DriverFailure } from './driver-error.js';
import { withLeasedConnection, type ConnectionLease } from './leased-connection.js';
import { mysqlConnectionOptionsOf } from './mysql-url.js';
import { IDLE_TIMEOUT_IN_MS, KEEP_ALIVE_INITIAL_DELAY_IN_MS, type SqlDriverSettings } from './options.js';
import { accountFromRows, checkResultColumns } from './row.js';

/**
 * A legacy store in MySQL or MariaDB (`mysql://` or `mariadb://`, `?ssl=true` for verified TLS). Statements are
 * prepared on the server (`execute`), so values never pass through client-side escaping. No connection is made
 * until the first call: `ping()` checks one.
 *
 * Time is bounded three ways: mysql2's per-statement `timeout`, a server-side statement limit set once per
 * connection (`max_statement_time` on MariaDB, `max_execution_time` on MySQL; best effort), and an overall deadline
 * of `queryTimeoutInMs` per call. A connection whose call failed or was abandoned (timed out, aborted) is destroyed
 * at once, never reused: a stalled connection (TCP up, no answer) costs one call, not every call while it lives.
 *
 * @example
 *   const store = createMysqlLegacyStore({ url: 'mariadb://reader:pw@db/legacy', query: compileNamedQuery(sql, 'mysql'), queryTimeoutInMs: 1000, poolSize: 10 });
 */
export function createMysqlLegacyStore(settings: SqlDriverSettings): LegacyStore {
  const { url, queryTimeoutInMs } = settings;
  const pool = createPool({
    ...mysqlConnectionOptionsOf(url),
    connectionLimit: settings.poolSize,
    maxIdle: settings.poolSize,
    idleTimeout: IDLE_TIMEOUT_IN_MS,
    connectTimeout: queryTimeoutInMs,
    enableKeepAlive: true,
    keepAliveInitialDelay: KEEP_ALIVE_INITIAL_DELAY_IN_MS,
    charset: 'utf8mb4_unicode_ci',
    supportBigNumbers: true,
    bigNumberStrings: true, // BIGINT ids arrive as exact decimal strings
    multipleStatements: false,
  });
  const limited = new WeakSet<object>();

  const limitStatementTime = async (connection: PoolConnection): Promise<void> => {
    if (limited.has(connection.connection)) return;
    limited.add(connection.connection);
    const seconds = queryTimeoutInMs / 1000;
    await connection.query(`SET SESSION max_statement_time = ${seconds}`).catch(() =>
      connection.query(`SET SESSION max_execution_time = ${queryTimeoutInMs}`).catch(() => undefined),
    );
  };

  const lease: ConnectionLease<PoolConnection> = {
    acquire: () => pool.getConnection(),
    release: (connection) => connection.release(),
    destroy: destroyMysqlConnection,
  };
  const execute = async (connection: PoolConnection, sql: string, values: (string | null)[]): Promise<[RowDataPacket[], FieldPacket[]]> => {
    await limitStatementTime(connection);
    return connection.execute<RowDataPacket[]>({ sql, timeout: queryTimeoutInMs }, values);
  };

  let closing: Promise<void> | undefined;
  const run = async (sql: string, values: (string | null)[], options?: LegacyStoreCallOptions): Promise<[RowDataPacket[], FieldPacket[]]> => {
    if (closing !== undefined) throw storeClosed(url);
    try {
      return await withLeasedConnection(lease, (connection) => execute(connection, sql, values), {
        timeoutInMs: queryTimeoutInMs,
        abortSignal: options?.abortSignal,
        timeoutError: () => storeTimedOut(url, queryTimeoutInMs),
      });
    } catch (error) {
      if (options?.abortSignal?.aborted && error === options.abortSignal.reason) throw error;
      throw toLegacyStoreError(error, classifyMysqlError(error), settings);
    }
  };

  return {
    kind: 'mysql',
    async findAccount(who: LegacyLookup, options?: LegacyStoreCallOptions): Promise<LegacyAccount | null> {
      const [rows, columns] = await run(settings.query.text, settings.query.order.map((name) => who[name]), options);
      checkResultColumns(columns.map((column) => column.name));
      return accountFromRows(rows);
    },
    async ping(options?: LegacyStoreCallOptions): Promise<void> {
      await run('SELECT 1', [], options);
    },
    close(): Promise<void> {
      closing ??= pool.end().catch(() => undefined);
      return closing;
    },
  };
}

/**
 * Closes a mysql2 connection at once (and takes a pooled one out of its pool). mysql2's `destroy()` only half-closes
 * the socket (a FIN, then it waits for the server's); a stalled server never answers, so the socket itself is
 * destroyed as well.
 *
 * @example
 *   destroyMysqlConnection(await pool.getConnection());
 */
export function destroyMysqlConnection(connection: { destroy(): void }): void {
  connection.destroy();
  // The promise wrapper's `connection` is mysql2's own connection object, whose `stream` is the socket.
  const socket = (connection as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream;
  socket?.destroy?.();
}

/** Server errors (https://mariadb.com/kb/en/mariadb-error-codes/) that mean "took too long". */
const TIMEOUT_ERRNOS: ReadonlySet<number> = new Set([
  1969, // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
  3024, // ER_QUERY_TIMEOUT (MySQL max_execution_time)
  1317, // ER_QUERY_INTERRUPTED
]);

/** Server errors that mean "you may not use this server now", though their SQLSTATE may say otherwise. */
const UNAVAILABLE_ERRNOS: ReadonlySet<number> = new Set([
  1040, // ER_CON_COUNT_ERROR: too many connections
  1044, // ER_DBACCESS_DENIED_ERROR
  1045, // ER_ACCESS_DENIED_ERROR: wrong user or password
  1049, // ER_BAD_DB_ERROR: unknown database (SQLSTATE 42000)
  1129, // ER_HOST_IS_BLOCKED
  1130, // ER_HOST_NOT_PRIVILEGED
  1203, // ER_TOO_MANY_USER_CONNECTIONS
  1226, // ER_USER_LIMIT_REACHED
]);

/** SQLSTATE classes that mean the lookup query itself is wrong (syntax, unknown table or column, bad data). */
const QUERY_SQLSTATE_CLASSES: ReadonlySet<string> = new Set(['42', '22', '21', '0A']);

/**
 * How a mysql2 error is understood: mysql2's timer and the servers' statement limits → timeout, socket codes and
 * refusals (access, too many connections) → unavailable, the SQLSTATE classes of a wrong query → query-invalid.
 *
 * @example
 *   classifyMysqlError(Object.assign(new Error('Query inactivity timeout'), { code: 'PROTOCOL_SEQUENCE_TIMEOUT' })) // 'timeout'
 */
export function classifyMysqlError(error: unknown): DriverFailure {
  const { code, errno, sqlState } = factsOf(error);
  if (code === 'PROTOCOL_SEQUENCE_TIMEOUT' || code === 'ETIMEDOUT' || (errno !== undefined && TIMEOUT_ERRNOS.has(errno))) return 'timeout';
  if (code !== undefined && NETWORK_ERROR_CODES.has(code)) return 'unavailable';
  if (errno !== undefined && UNAVAILABLE_ERRNOS.has(errno)) return 'unavailable';
  if (sqlState !== undefined && QUERY_SQLSTATE_CLASSES.has(sqlState.slice(0, 2))) return 'query-invalid';
  return 'unavailable'; // connection lost, server gone away, pool closed, anything else
}
