import Database from 'better-sqlite3';
import { LegacyStoreError, LegacyStoreErrorCode } from '../errors.js';
import type { LegacyAccount, LegacyLookup, LegacyStore, LegacyStoreCallOptions } from '../store.js';
import { factsOf, storeClosed, toLegacyStoreError, type DriverFailure } from './driver-error.js';
import type { SqlDriverSettings } from './options.js';
import { accountFromRows, checkResultColumns } from './row.js';
import { redactUrl, sqlitePathOf } from './url.js';

/**
 * Longest wait, in ms, for a lock another process holds. SQLite runs synchronously on the event loop, so this is
 * how long every other request waits too: kept far below the query timeout, and a busy database reports
 * `LEGACY_STORE_TIMEOUT` instead. A read-only reader of a WAL database is practically never made to wait.
 */
const BUSY_WAIT_MAX_IN_MS = 50;

type Row = Record<string, unknown>;

/**
 * Opens a legacy store in an existing SQLite file, read-only (`sqlite:///abs/path.db`, `sqlite://rel/path.db`).
 * `sqlite::memory:` is refused: a fresh in-memory database has no accounts (use the memory store). The query is
 * prepared at once, so a syntax error, a missing table or a missing `password_hash` column fails here.
 *
 * SQLite queries run in-process and cannot be interrupted: `queryTimeoutInMs` cannot stop a slow query. Keep the
 * lookup on an index; a SQLite legacy store suits demos and small systems.
 *
 * @example
 *   const store = openSqliteLegacyStore({ url: 'sqlite://./legacy.db', query: compileNamedQuery(sql, 'sqlite'), queryTimeoutInMs: 1000, poolSize: 1 });
 */
export function openSqliteLegacyStore(settings: SqlDriverSettings): LegacyStore {
  const path = sqlitePathOf(settings.url);
  const shown = redactUrl(settings.url);
  if (path === ':memory:') {
    throw new LegacyStoreError(
      LegacyStoreErrorCode.URL_INVALID,
      'A legacy store cannot be an in-memory SQLite database (sqlite::memory:): it would be empty. Name a database file.',
    );
  }
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_WAIT_MAX_IN_MS });
  } catch (error) {
    throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `Cannot open the SQLite legacy store ${shown}.`, {
      detail: `Cannot open the SQLite legacy store ${shown}: ${factsOf(error).message}`,
      cause: error,
    });
  }
  let lookup: Database.Statement<unknown[], Row>;
  let ping: Database.Statement<unknown[], Row>;
  try {
    lookup = db.prepare<unknown[], Row>(settings.query.text);
    if (!lookup.reader) {
      throw new LegacyStoreError(LegacyStoreErrorCode.QUERY_INVALID, 'The legacy lookup query returns no rows; it must be a SELECT.');
    }
    checkResultColumns(lookup.columns().map((column) => column.name));
    lookup.safeIntegers(true); // 64-bit ids arrive as bigint, never rounded
    ping = db.prepare<unknown[], Row>('SELECT 1');
  } catch (error) {
    db.close();
    throw toLegacyStoreError(error, classifySqliteError(error), settings);
  }

  let closed = false;
  const run = <T>(options: LegacyStoreCallOptions | undefined, work: () => T): Promise<T> => {
    if (closed) return Promise.reject(storeClosed(settings.url));
    if (options?.abortSignal?.aborted) return Promise.reject(options.abortSignal.reason);
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(toLegacyStoreError(error, classifySqliteError(error), settings));
    }
  };

  return {
    kind: 'sqlite',
    findAccount(who: LegacyLookup, options?: LegacyStoreCallOptions): Promise<LegacyAccount | null> {
      return run(options, () => {
        const rows: Row[] = [];
        for (const row of lookup.iterate(...settings.query.order.map((name) => who[name]))) {
          rows.push(row);
          if (rows.length > 1) break; // enough to know the lookup is ambiguous
        }
        return accountFromRows(rows);
      });
    },
    ping(options?: LegacyStoreCallOptions): Promise<void> {
      return run(options, () => {
        ping.get();
      });
    },
    close(): Promise<void> {
      if (!closed) {
        closed = true;
        db.close();
      }
      return Promise.resolve();
    },
  };
}

/**
 * SQLite result codes (https://sqlite.org/rescode.html): lock waits → timeout; SQL errors and better-sqlite3's own
 * argument errors (a second statement, a wrong parameter count) → the query; a broken or missing file → unavailable.
 */
function classifySqliteError(error: unknown): DriverFailure {
  const { code } = factsOf(error);
  if (code === undefined || !code.startsWith('SQLITE_')) return 'query-invalid';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'timeout';
  if (code === 'SQLITE_ERROR' || code === 'SQLITE_RANGE' || code === 'SQLITE_MISMATCH') return 'query-invalid';
  return 'unavailable';
}
