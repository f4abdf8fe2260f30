import Database from 'better-sqlite3';
import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';
import type { LegacyAccount, LegacyLookup, LegacyStore, LegacyStoreCallOptions } from '../../store.js';
import { factsOf, storeClosed, toLegacyStoreError, type DriverFailure } from './driver-error.js';
import type { SqlDriverSettings } from './options.js';
import { accountFromRows, checkResultColumns } from './row.js';
import { redactUrl, sqlitePathOf } from './url.js';
import { openWatchedFile, type FileProblem } from './watched-file.js';

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
 * The file is watched (at most every `fileCheckIntervalInMs`, on a call): a file renamed over it or restored in its
 * place is opened afresh (and the lookup prepared again); while the file is deleted or unreadable, calls reject
 * with `LEGACY_STORE_UNAVAILABLE` naming the file, until it is back.
 *
 * SQLite queries run in-process and cannot be interrupted: `queryTimeoutInMs` cannot stop a slow query. Keep the
 * lookup on an index; a SQLite legacy store suits demos and small systems.
 *
 * @example
 *   const store = openSqliteLegacyStore({ url: 'sqlite://./legacy.db', query: compileNamedQuery(sql, 'sqlite'), queryTimeoutInMs: 1000, poolSize: 1, fileCheckIntervalInMs: 2000, now: Date.now });
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
  const file = openWatchedFile<OpenedDatabase>({
    path,
    open: (current) => openDatabase(current, settings),
    close: (opened) => opened.db.close(),
    checkIntervalInMs: settings.fileCheckIntervalInMs,
    now: settings.now,
    unavailable: (problem, cause) =>
      new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `The SQLite legacy store ${shown} ${FILE_PROBLEMS[problem]}.`, {
        detail: `The SQLite legacy store ${shown} ${FILE_PROBLEMS[problem]}: ${factsOf(cause).message}`,
        cause,
      }),
  });

  let closed = false;
  const run = <T>(options: LegacyStoreCallOptions | undefined, work: (opened: OpenedDatabase) => T): Promise<T> => {
    if (closed) return Promise.reject(storeClosed(settings.url));
    if (options?.abortSignal?.aborted) return Promise.reject(options.abortSignal.reason);
    try {
      return Promise.resolve(work(file.current()));
    } catch (error) {
      return Promise.reject(toLegacyStoreError(error, classifySqliteError(error), settings));
    }
  };

  return {
    kind: 'sqlite',
    findAccount(who: LegacyLookup, options?: LegacyStoreCallOptions): Promise<LegacyAccount | null> {
      return run(options, (opened) => {
        const rows: Row[] = [];
        for (const row of opened.lookup.iterate(...settings.query.order.map((name) => who[name]))) {
          rows.push(row);
          if (rows.length > 1) break; // enough to know the lookup is ambiguous
        }
        return accountFromRows(rows);
      });
    },
    ping(options?: LegacyStoreCallOptions): Promise<void> {
      return run(options, (opened) => {
        opened.ping.get();
      });
    },
    close(): Promise<void> {
      if (!closed) {
        closed = true;
        file.close();
      }
      return Promise.resolve();
    },
  };
}

/** A database connection on the file and the two statements a store runs on it. */
interface OpenedDatabase {
  db: Database.Database;
  lookup: Database.Statement<unknown[], Row>;
  ping: Database.Statement<unknown[], Row>;
}

/** The end of "The SQLite legacy store … ", per problem. */
const FILE_PROBLEMS: Readonly<Record<FileProblem, string>> = {
  missing: 'is missing: the file was deleted or moved',
  unreadable: "cannot be read by this process: check the file's permissions",
};

/**
 * Opens `path` read-only and prepares the lookup: a syntax error, a missing table or a missing `password_hash`
 * column fails here, as `LEGACY_QUERY_INVALID`; a file that cannot be opened as `LEGACY_STORE_UNAVAILABLE`.
 */
function openDatabase(path: string, settings: SqlDriverSettings): OpenedDatabase {
  const shown = redactUrl(settings.url);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_WAIT_MAX_IN_MS });
  } catch (error) {
    throw new LegacyStoreError(LegacyStoreErrorCode.UNAVAILABLE, `Cannot open the SQLite legacy store ${shown}.`, {
      detail: `Cannot open the SQLite legacy store ${shown}: ${factsOf(error).message}`,
      cause: error,
    });
  }
  try {
    const lookup = db.prepare<unknown[], Row>(settings.query.text);
    if (!lookup.reader) {
      throw new LegacyStoreError(LegacyStoreErrorCode.QUERY_INVALID, 'The legacy lookup query returns no rows; it must be a SELECT.');
    }
    checkResultColumns(lookup.columns().map((column) => column.name));
    lookup.safeIntegers(true); // 64-bit ids arrive as bigint, never rounded
    return { db, lookup, ping: db.prepare<unknown[], Row>('SELECT 1') };
  } catch (error) {
    db.close();
    throw toLegacyStoreError(error, classifySqliteError(error), settings);
  }
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
