import Database from 'better-sqlite3';
import { LegacyImportError, LegacyImportErrorCode } from './errors.js';
import { LEGACY_USERS_COLUMNS, type ImportedUser } from './imported-user.js';

/** The table a run fills, renamed to `legacy_users` at the end; left over from a run that was killed, it is dropped. */
const STAGING = 'legacy_users_import';
/** Every sign-in name (lower-cased e-mail and username) of the rows so far: two rows one sign-in could match are refused. */
const NAMES = 'legacy_users_import_names';
/** Rows per transaction while filling: large enough for speed, small enough that a commit is quick. */
const DEFAULT_BATCH_ROWS = 10_000;
/** SQLite's page cache for the run, in KiB (negative: KiB, not pages). Bounded: memory does not grow with the file. */
const CACHE_KIB = 32 * 1024;

/** What became of a row offered to the table. */
export type AddOutcome = 'added' | 'duplicate-id' | 'duplicate-name';

/** Fills a fresh copy of `legacy_users` and swaps it in. */
export interface LegacyTableWriter {
  add(user: ImportedUser): AddOutcome;
  /** Replaces `legacy_users` with the rows added, in one transaction, and closes the database. */
  replaceTable(): void;
  /** Drops what the run wrote, leaves `legacy_users` as it was, and closes the database. */
  abandon(): void;
}

/**
 * Opens (or creates) the SQLite file at `path` for an import. The rows go to a table of their own, in batched
 * transactions; `replaceTable()` then drops the old `legacy_users`, renames the new one into its place and indexes
 * it (`lower(email)`, `lower(username)`; `id` is the primary key) in one transaction: a reader — `serve` running on
 * the file — sees the old table or the new one, never half of either, and a run killed at any point leaves the old
 * table as it was. The file is put in WAL mode, so readers are never blocked while the new table is built.
 * A `legacy_users` table this command did not create (other columns) is never dropped: `LEGACY_IMPORT_OUTPUT_UNUSABLE`.
 *
 * @example
 *   const writer = openLegacyTableWriter('./legacy.db');
 *   writer.add(user); // 'added'
 *   writer.replaceTable();
 */
export function openLegacyTableWriter(path: string, options: { batchRows?: number } = {}): LegacyTableWriter {
  const db = openDatabase(path);
  try {
    checkExistingTable(db, path);
    db.exec(`DROP TABLE IF EXISTS ${STAGING}; DROP TABLE IF EXISTS ${NAMES};`);
    db.exec(`CREATE TABLE ${STAGING} (
      id TEXT PRIMARY KEY NOT NULL,
      email TEXT,
      username TEXT,
      password_hash TEXT NOT NULL,
      scheme TEXT,
      salt TEXT,
      status TEXT NOT NULL DEFAULT 'active',
      profile_json TEXT NOT NULL DEFAULT '{}'
    )`);
    db.exec(`CREATE TABLE ${NAMES} (name TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID`);
  } catch (error) {
    db.close();
    throw unusable(path, error);
  }
  const nameTaken = db.prepare<[string | null, string | null], { taken: number }>(`SELECT EXISTS (SELECT 1 FROM ${NAMES} WHERE name IN (lower(?), lower(?))) AS taken`);
  const insertRow = db.prepare(`INSERT INTO ${STAGING} (${LEGACY_USERS_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`);
  const insertName = db.prepare<[string]>(`INSERT OR IGNORE INTO ${NAMES} (name) VALUES (lower(?))`);
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  let inBatch = 0;
  let closed = false;
  db.exec('BEGIN');
  const close = () => {
    if (!closed) {
      closed = true;
      db.close();
    }
  };
  return {
    add(user) {
      if (nameTaken.get(user.email, user.username)!.taken === 1) return 'duplicate-name';
      const row = [user.id, user.email, user.username, user.passwordHash, user.scheme, user.salt, user.status, JSON.stringify(user.profile)];
      if (insertRow.run(...row).changes === 0) return 'duplicate-id';
      if (user.email !== null) insertName.run(user.email);
      if (user.username !== null) insertName.run(user.username);
      if (++inBatch >= batchRows) {
        db.exec('COMMIT; BEGIN');
        inBatch = 0;
      }
      return 'added';
    },
    replaceTable() {
      try {
        db.exec('COMMIT');
        db.exec(`BEGIN IMMEDIATE;
          DROP TABLE IF EXISTS legacy_users;
          ALTER TABLE ${STAGING} RENAME TO legacy_users;
          CREATE INDEX legacy_users_lower_email ON legacy_users (lower(email));
          CREATE INDEX legacy_users_lower_username ON legacy_users (lower(username));
          COMMIT;`);
        db.exec(`DROP TABLE IF EXISTS ${NAMES}`);
        // Fold the log into the file, so that the file alone holds the table (to copy it, or open it read-only).
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw unusable(path, error);
      } finally {
        close();
      }
    },
    abandon() {
      if (closed) return;
      try {
        if (db.inTransaction) db.exec('ROLLBACK');
        db.exec(`DROP TABLE IF EXISTS ${STAGING}; DROP TABLE IF EXISTS ${NAMES};`);
      } catch {
        // Left for the next run, which drops it first.
      } finally {
        close();
      }
    },
  };
}

function openDatabase(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`cache_size = -${CACHE_KIB}`);
    return db;
  } catch (error) {
    db?.close();
    throw unusable(path, error);
  }
}

/** A `legacy_users` table with other columns is someone's own: refuse rather than drop it. */
function checkExistingTable(db: Database.Database, path: string): void {
  const columns = db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('legacy_users')`).all().map((column) => column.name);
  if (columns.length > 0 && columns.join(',') !== LEGACY_USERS_COLUMNS.join(',')) {
    throw new LegacyImportError(
      LegacyImportErrorCode.OUTPUT_UNUSABLE,
      `--out ${path}: the database already holds a legacy_users table that legacy import did not create (other columns); it is left alone: choose another --out file.`,
    );
  }
}

function unusable(path: string, error: unknown): LegacyImportError {
  if (error instanceof LegacyImportError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const why = code === 'SQLITE_NOTADB' ? 'is not a SQLite database' : code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' ? 'cannot be opened for writing' : code === 'SQLITE_FULL' ? 'the disk is full' : (error as Error).message;
  return new LegacyImportError(LegacyImportErrorCode.OUTPUT_UNUSABLE, `--out ${path}: ${why}; legacy_users was left as it was.`, { cause: error });
}
