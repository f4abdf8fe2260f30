import pg from 'pg';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import type { LegacyAccount, LegacyLookup, LegacyStore, LegacyStoreCallOptions } from '../../store.js';
import { factsOf, NETWORK_ERROR_CODES, storeClosed, storeTimedOut, toLegacyStoreError, type DriverFailure } from './driver-error.js';
import { withLeasedConnection, type ConnectionLease } from './leased-connection.js';
import { IDLE_TIMEOUT_IN_MS, KEEP_ALIVE_INITIAL_DELAY_IN_MS, type SqlDriverSettings } from './options.js';
import { accountFromRows, checkResultColumns } from './row.js';
import { redactUrl } from './url.js';

/**
 * A legacy store in PostgreSQL (`postgres://` or `postgresql://`; TLS and other options as libpq-style URL
 * parameters, e.g. `?sslmode=verify-full`). No connection is made until the first call: `ping()` checks one.
 *
 * Time is bounded three ways: the server cancels a statement after `queryTimeoutInMs` (`statement_timeout`), pg
 * itself stops waiting for an answer after the same time (`query_timeout`), and the call gives up after that time
 * however it is spent (queueing for a connection, connecting, querying). A connection whose call was abandoned —
 * timed out or aborted — is destroyed, never returned to the pool: a stalled connection (TCP up, no answer) costs
 * one call, not every call for as long as its socket lives.
 *
 * @example
 *   const store = createPostgresLegacyStore({ url: 'postgres://reader@db/legacy', query: compileNamedQuery(sql, 'postgres'), queryTimeoutInMs: 1000, poolSize: 10 });
 */
export function createPostgresLegacyStore(settings: SqlDriverSettings): LegacyStore {
  const { url, queryTimeoutInMs } = settings;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new LegacyStoreError(LegacyStoreErrorCode.URL_INVALID, `The PostgreSQL URL ${redactUrl(url)} cannot be parsed.`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new LegacyStoreError(LegacyStoreErrorCode.URL_INVALID, `The URL ${redactUrl(url)} is not a postgres:// URL.`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: settings.poolSize,
    connectionTimeoutMillis: queryTimeoutInMs,
    statement_timeout: queryTimeoutInMs,
    query_timeout: queryTimeoutInMs, // a backstop: the call's own deadline starts earlier and fires first
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEP_ALIVE_INITIAL_DELAY_IN_MS,
    idleTimeoutMillis: IDLE_TIMEOUT_IN_MS,
    application_name: 'entra-migrate (legacy lookup)',
    allowExitOnIdle: true,
  });
  // An idle connection that breaks is dropped by the pool; the next call reconnects or reports the failure itself.
  pool.on('error', () => undefined);

  const lease: ConnectionLease<pg.PoolClient> = {
    acquire: () => pool.connect(),
    release: (client) => client.release(),
    // pg ends a removed client by destroying its socket when a query is still active on it (pg Client#end).
    destroy: (client) => client.release(true),
  };

  let closing: Promise<void> | undefined;
  const query = async (text: string, values: (string | null)[], options?: LegacyStoreCallOptions): Promise<pg.QueryResult> => {
    if (closing !== undefined) throw storeClosed(url);
    try {
      return await withLeasedConnection(lease, (client) => client.query({ text, values }), {
        timeoutInMs: queryTimeoutInMs,
        abortSignal: options?.abortSignal,
        timeoutError: () => storeTimedOut(url, queryTimeoutInMs),
      });
    } catch (error) {
      if (options?.abortSignal?.aborted && error === options.abortSignal.reason) throw error;
      throw toLegacyStoreError(error, classifyPostgresError(error), settings);
    }
  };

  return {
    kind: 'postgres',
    async findAccount(who: LegacyLookup, options?: LegacyStoreCallOptions): Promise<LegacyAccount | null> {
      const result = await query(settings.query.text, settings.query.order.map((name) => who[name]), options);
      checkResultColumns(result.fields.map((field) => field.name));
      return accountFromRows(result.rows as Record<string, unknown>[]);
    },
    async ping(options?: LegacyStoreCallOptions): Promise<void> {
      await query('SELECT 1', [], options);
    },
    close(): Promise<void> {
      closing ??= pool.end().catch(() => undefined);
      return closing;
    },
  };
}

/** SQLSTATE classes (PostgreSQL docs, Appendix A) whose errors mean the lookup query itself is wrong. */
const QUERY_SQLSTATE_CLASSES: ReadonlySet<string> = new Set([
  '42', // syntax error or access rule violation: bad SQL, unknown table/column/function, no privilege
  '22', // data exception: a parameter does not fit the column type (cast it in the query)
  '21', // cardinality violation
  '0A', // feature not supported
  '3F', // invalid schema name
]);

/** Messages pg's pool and client raise when their own timers fire (they carry no code). */
const CLIENT_TIMEOUT_MESSAGE = /timeout exceeded when trying to connect|connection timeout|query read timeout/i;

/**
 * How a pg error is understood: its timers and `statement_timeout` → timeout, socket codes → unavailable, the
 * SQLSTATE classes of a wrong query → query-invalid, anything else → unavailable.
 *
 * @example
 *   classifyPostgresError(new Error('Query read timeout')) // 'timeout'
 */
export function classifyPostgresError(error: unknown): DriverFailure {
  const { code, message } = factsOf(error);
  if (code === '57014' || code === 'ETIMEDOUT' || CLIENT_TIMEOUT_MESSAGE.test(message)) return 'timeout'; // 57014: statement_timeout
  if (code !== undefined && NETWORK_ERROR_CODES.has(code)) return 'unavailable';
  if (code !== undefined && /^[0-9A-Z]{5}$/.test(code) && QUERY_SQLSTATE_CLASSES.has(code.slice(0, 2))) return 'query-invalid';
  return 'unavailable'; // 08 connection, 28 authentication, 3D no database, 53 resources, 57P shutdown, anything else
}
