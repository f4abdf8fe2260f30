import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { DemoUser } from './demo-users.js';

/**
 * The demo's lookup query: the sign-in name typed (or, at sign-up, the verified address) is the legacy e-mail,
 * compared case-insensitively; the name columns are the profile a sign-up is prefilled and linked with.
 */
export const DEMO_LEGACY_USER_QUERY =
  'SELECT id, password_hash, status, display_name, given_name, surname FROM legacy_users WHERE email = lower(:username)';

/**
 * Writes a fresh SQLite legacy store at `path` holding `users`, replacing any earlier one, so every demo starts
 * from the same state. The table looks like a typical legacy user table: e-mail, names, hash, status.
 *
 * @example
 *   seedDemoLegacyStore('./data/demo/legacy.db', DEMO_USERS);
 */
export function seedDemoLegacyStore(path: string, users: readonly DemoUser[]): void {
  mkdirSync(dirname(path), { recursive: true });
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  const db = new Database(path);
  try {
    db.exec(`
      CREATE TABLE legacy_users (
        id            TEXT PRIMARY KEY,
        email         TEXT NOT NULL UNIQUE,
        display_name  TEXT NOT NULL,
        given_name    TEXT,
        surname       TEXT,
        password_hash TEXT NOT NULL,
        status        TEXT NOT NULL DEFAULT 'active'
      )`);
    const insert = db.prepare(
      'INSERT INTO legacy_users (id, email, display_name, given_name, surname, password_hash, status) VALUES (?, lower(?), ?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (const user of users) insert.run(user.id, user.email, user.displayName, user.givenName, user.surname, user.passwordHash, user.status);
    })();
  } finally {
    db.close();
  }
}
