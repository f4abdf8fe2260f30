import { chmodSync, closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';

/** The kinds of record the emulator keeps about its tenant, each a set of JSON values by id. */
export type TenantRecordKind =
  | 'tenant'
  | 'signing-key'
  | 'client-app'
  | 'application'
  | 'service-principal'
  | 'extension-property'
  | 'app-role-assignment'
  | 'custom-extension'
  | 'listener'
  | 'user-flow'
  | 'claims-mapping-policy'
  | 'configured-extension';

/**
 * The emulated tenant's own records — ids, signing keys, Graph client apps and their secrets, the configuration
 * objects `setup` writes — kept in the directory's SQLite file beside its users, so a restart on the same file is
 * the same tenant. `:memory:` keeps them for the life of the process only.
 */
export interface TenantStore {
  /** The file the records live in, or `:memory:`. */
  readonly path: string;
  /** True when the records outlive the process (a file). */
  readonly persistent: boolean;
  /** Every record of a kind, as `[id, value]`, in the order each was first written. */
  entries<T>(kind: TenantRecordKind): Array<[string, T]>;
  /** Writes (or overwrites) one record. */
  put(kind: TenantRecordKind, id: string, value: unknown): void;
  remove(kind: TenantRecordKind, id: string): void;
  clear(kind: TenantRecordKind): void;
  close(): void;
}

/** The state file holds private keys and client secrets: owner read/write only. */
const STATE_FILE_MODE = 0o600;

/**
 * Opens the tenant records in the SQLite file at `path` (created with mode 0600 if missing; an existing file is
 * narrowed to 0600, and SQLite gives its -wal and -shm files the same mode).
 *
 * @example
 *   const store = openTenantStore('./emulator.db');
 *   store.put('client-app', clientId, { clientId, secret });
 */
export function openTenantStore(path: string): TenantStore {
  const persistent = path !== ':memory:' && path !== '';
  if (persistent) {
    closeSync(openSync(path, 'a', STATE_FILE_MODE));
    chmodSync(path, STATE_FILE_MODE);
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS tenant_records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, id TEXT NOT NULL, value TEXT NOT NULL, UNIQUE (kind, id))`);
  const statements = {
    entries: db.prepare<[string], { id: string; value: string }>('SELECT id, value FROM tenant_records WHERE kind = ? ORDER BY seq'),
    put: db.prepare('INSERT INTO tenant_records (kind, id, value) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET value = excluded.value'),
    remove: db.prepare('DELETE FROM tenant_records WHERE kind = ? AND id = ?'),
    clear: db.prepare('DELETE FROM tenant_records WHERE kind = ?'),
  };
  return {
    path,
    persistent,
    entries: <T>(kind: TenantRecordKind) => statements.entries.all(kind).map((row): [string, T] => [row.id, JSON.parse(row.value) as T]),
    put: (kind, id, value) => void statements.put.run(kind, id, JSON.stringify(value)),
    remove: (kind, id) => void statements.remove.run(kind, id),
    clear: (kind) => void statements.clear.run(kind),
    close: () => db.close(),
  };
}
