import { randomBytes, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { EmulatorError, EmulatorErrorCode } from './errors.js';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, length: number, options: { N: number; r: number; p: number }) => Promise<Buffer>;

/** An identity a user signs in with (Graph's `objectIdentity`). */
export interface Identity {
  signInType: string;
  issuer: string;
  issuerAssignedId: string;
}

export interface DirectoryUser {
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  userPrincipalName: string;
  accountEnabled: boolean;
  createdDateTime: string;
  /** When the password was last set (creation, a reset, a migration), as Graph's `lastPasswordChangeDateTime`. */
  lastPasswordChangeDateTime: string;
  identities: Identity[];
}

/** An e-mail or phone authentication method, as Graph's emailAuthenticationMethod / phoneAuthenticationMethod. */
export type AuthenticationMethod =
  | { kind: 'email'; id: string; emailAddress: string }
  | { kind: 'phone'; id: string; phoneNumber: string; phoneType: PhoneType };

export type PhoneType = 'mobile' | 'alternateMobile' | 'office';

/** Graph's fixed ids: one e-mail method per user, one phone method per phone type. */
export const AUTHENTICATION_METHOD_IDS = {
  email: '3ddfcfc8-9383-446f-83cc-3ab9be4be18f',
  mobile: '3179e48a-750b-4051-897c-87b9720928f7',
  alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41',
  office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
} as const;

/** Where a page of users ends: the last user's creation time and id (users are listed in that order). */
export interface UserCursor {
  createdDateTime: string;
  id: string;
}

/** The profile properties `PATCH /users/{id}` changes; `identities`, when given, replaces the whole collection. */
export type UserEdit = Partial<Pick<DirectoryUser, 'displayName' | 'givenName' | 'surname' | 'mail' | 'accountEnabled' | 'identities'>>;

export interface NewUser {
  displayName: string;
  givenName?: string | null;
  surname?: string | null;
  mail?: string | null;
  identities: Identity[];
  password: string;
  accountEnabled?: boolean;
  /** Directory extension attributes, e.g. `{ extension_<appId>_toBeMigrated: true }`. */
  extensionAttributes?: Record<string, unknown>;
}

/**
 * The emulated tenant's users, in SQLite (a file, or `:memory:`). Passwords are kept as scrypt hashes with a low
 * cost (N = 1024, ~2.5 ms): this directory holds test users, never real ones, and a pre-migration against the
 * emulator creates hundreds of users per second — at N = 4096 the hashing alone took both cores of a small machine.
 */
export interface Directory {
  createUser(user: NewUser): Promise<DirectoryUser>;
  getUser(id: string): DirectoryUser | undefined;
  /** The user with this sign-in name (an identity's `issuerAssignedId`, case-insensitive). */
  findUserBySignInName(signInName: string): DirectoryUser | undefined;
  /** The user holding exactly this identity (issuerAssignedId compared case-insensitively, as Graph does). */
  findUserByIdentity(issuer: string, issuerAssignedId: string): DirectoryUser | undefined;
  findUsersByMail(mail: string): DirectoryUser[];
  /** Users in creation order, `limit` of them (default 100) after the user `after` (a keyset cursor, for paging). */
  listUsers(options?: { limit?: number; after?: UserCursor }): DirectoryUser[];
  /** How many users the directory holds; counted once at open, then kept (O(1), called for every create). */
  countUsers(): number;
  /**
   * Changes a user's profile in one transaction; an identity another user holds is refused with
   * `DIRECTORY_CONFLICT` and nothing changes.
   */
  updateUser(id: string, edit: UserEdit): DirectoryUser;
  setPassword(id: string, password: string): Promise<void>;
  checkPassword(id: string, password: string): Promise<boolean>;
  setExtensionAttribute(id: string, name: string, value: unknown): void;
  /** Adds an e-mail method, or a phone method of a type; a second of the same kind is a `DIRECTORY_CONFLICT`. */
  addAuthenticationMethod(userId: string, method: { kind: 'email'; emailAddress: string } | { kind: 'phone'; phoneNumber: string; phoneType: PhoneType }): AuthenticationMethod;
  listAuthenticationMethods(userId: string): AuthenticationMethod[];
  getExtensionAttributes(id: string): Record<string, unknown>;
  close(): void;
}

const SCRYPT = { N: 1024, r: 8, p: 1 } as const;
/** Directories written before the cost was lowered hold 16-byte salts hashed at N = 4096; newer salts carry log2(N). */
const LEGACY_SCRYPT = { N: 4096, r: 8, p: 1 } as const;

/** A new salt: log2(N) then 16 random bytes, so the cost can change again without breaking stored passwords. */
function newSalt(): Buffer {
  return Buffer.concat([Buffer.from([Math.log2(SCRYPT.N)]), randomBytes(16)]);
}

/** The scrypt key of `password` under a stored salt, at the cost that salt records. */
function keyFor(password: string, stored: Buffer): Promise<Buffer> {
  // The cost is bounded (N ≤ 2^16, 64 MiB at r = 8) whatever the file says.
  if (stored.length === 17) return scryptAsync(password, stored.subarray(1), KEY_LENGTH, { ...SCRYPT, N: 2 ** Math.min(16, Math.max(1, stored[0]!)) });
  return scryptAsync(password, stored, KEY_LENGTH, LEGACY_SCRYPT);
}
const KEY_LENGTH = 32;
/** Graph's date-times: UTC to the second. */
const isoSeconds = (time: number) => new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
const EXTENSION_NAME = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,100}$/;

interface UserRow {
  id: string;
  display_name: string;
  given_name: string | null;
  surname: string | null;
  mail: string | null;
  user_principal_name: string;
  account_enabled: number;
  created_at: string;
  password_changed_at: string | null;
}

/**
 * Opens (creating if needed) the directory at `path`.
 *
 * @example
 *   const directory = openDirectory(':memory:', { domain: 'contoso.onmicrosoft.com' });
 */
export function openDirectory(path: string, options: { domain: string; now?: () => number }): Directory {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS users (
      id TEXT PRIMARY KEY, display_name TEXT NOT NULL, given_name TEXT, surname TEXT, mail TEXT,
      user_principal_name TEXT NOT NULL UNIQUE, account_enabled INTEGER NOT NULL, created_at TEXT NOT NULL,
      password_salt BLOB NOT NULL, password_key BLOB NOT NULL);
    CREATE TABLE IF NOT EXISTS identities (
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, sign_in_type TEXT NOT NULL, issuer TEXT NOT NULL,
      issuer_assigned_id TEXT NOT NULL, issuer_assigned_id_lower TEXT NOT NULL,
      UNIQUE (sign_in_type, issuer, issuer_assigned_id_lower));
    CREATE INDEX IF NOT EXISTS identities_by_name ON identities (issuer_assigned_id_lower);
    CREATE INDEX IF NOT EXISTS identities_by_user ON identities (user_id);
    CREATE INDEX IF NOT EXISTS users_by_creation ON users (created_at, id);
    CREATE TABLE IF NOT EXISTS extension_values (
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, name TEXT NOT NULL, value TEXT NOT NULL,
      PRIMARY KEY (user_id, name));
    CREATE TABLE IF NOT EXISTS authentication_methods (
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE, id TEXT NOT NULL, kind TEXT NOT NULL,
      value TEXT NOT NULL, phone_type TEXT, PRIMARY KEY (user_id, id));`);
  // Directories written before passwords carried a change time: the column is added, and null reads as creation.
  if (!(db.prepare('SELECT name FROM pragma_table_info(?)').all('users') as Array<{ name: string }>).some((column) => column.name === 'password_changed_at')) {
    db.exec('ALTER TABLE users ADD COLUMN password_changed_at TEXT');
  }
  const now = options.now ?? Date.now;
  let userCount = (db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;

  const statements = {
    insertUser: db.prepare(
      'INSERT INTO users (id, display_name, given_name, surname, mail, user_principal_name, account_enabled, created_at, password_salt, password_key, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertIdentity: db.prepare('INSERT INTO identities VALUES (?, ?, ?, ?, ?)'),
    deleteIdentities: db.prepare('DELETE FROM identities WHERE user_id = ?'),
    updateProfile: db.prepare('UPDATE users SET display_name = ?, given_name = ?, surname = ?, mail = ?, account_enabled = ? WHERE id = ?'),
    userById: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
    userBySignInName: db.prepare<[string], { user_id: string }>('SELECT user_id FROM identities WHERE issuer_assigned_id_lower = ? LIMIT 1'),
    identitiesOf: db.prepare<[string], { sign_in_type: string; issuer: string; issuer_assigned_id: string }>('SELECT * FROM identities WHERE user_id = ?'),
    identityTaken: db.prepare<[string, string, string], { user_id: string }>('SELECT user_id FROM identities WHERE sign_in_type = ? AND issuer = ? AND issuer_assigned_id_lower = ?'),
    byIdentity: db.prepare<[string, string], { user_id: string }>('SELECT user_id FROM identities WHERE issuer = ? AND issuer_assigned_id_lower = ? LIMIT 1'),
    byMail: db.prepare<[string], UserRow>('SELECT * FROM users WHERE lower(mail) = ? ORDER BY created_at, id LIMIT 100'),
    list: db.prepare<[number], UserRow>('SELECT * FROM users ORDER BY created_at, id LIMIT ?'),
    listAfter: db.prepare<[string, string, number], UserRow>('SELECT * FROM users WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?'),
    password: db.prepare<[string], { password_salt: Buffer; password_key: Buffer }>('SELECT password_salt, password_key FROM users WHERE id = ?'),
    setPassword: db.prepare('UPDATE users SET password_salt = ?, password_key = ?, password_changed_at = ? WHERE id = ?'),
    setExtension: db.prepare('INSERT INTO extension_values VALUES (?, ?, ?) ON CONFLICT (user_id, name) DO UPDATE SET value = excluded.value'),
    extensionsOf: db.prepare<[string], { name: string; value: string }>('SELECT name, value FROM extension_values WHERE user_id = ?'),
    insertMethod: db.prepare('INSERT INTO authentication_methods VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
    methodsOf: db.prepare<[string], { id: string; kind: string; value: string; phone_type: string | null }>('SELECT id, kind, value, phone_type FROM authentication_methods WHERE user_id = ? ORDER BY kind, id'),
  };

  const toUser = (row: UserRow): DirectoryUser => ({
    id: row.id,
    displayName: row.display_name,
    givenName: row.given_name,
    surname: row.surname,
    mail: row.mail,
    userPrincipalName: row.user_principal_name,
    accountEnabled: row.account_enabled === 1,
    createdDateTime: row.created_at,
    lastPasswordChangeDateTime: row.password_changed_at ?? row.created_at,
    identities: statements.identitiesOf.all(row.id).map((identity) => ({
      signInType: identity.sign_in_type,
      issuer: identity.issuer,
      issuerAssignedId: identity.issuer_assigned_id,
    })),
  });
  const requireUser = (id: string) => {
    const row = statements.userById.get(id);
    if (!row) throw new EmulatorError(EmulatorErrorCode.DIRECTORY_INVALID, `No user has the id ${id}.`);
    return row;
  };

  return {
    async createUser(user) {
      if (user.identities.length === 0) throw new EmulatorError(EmulatorErrorCode.DIRECTORY_INVALID, 'A user needs at least one identity.');
      for (const name of Object.keys(user.extensionAttributes ?? {})) {
        if (!EXTENSION_NAME.test(name)) throw new EmulatorError(EmulatorErrorCode.DIRECTORY_INVALID, `${name} is not an extension attribute name (extension_<appId without hyphens>_<name>).`);
      }
      const salt = newSalt();
      const key = await keyFor(user.password, salt);
      const id = randomUUID();
      const created = isoSeconds(now());
      db.transaction(() => {
        for (const identity of user.identities) {
          if (statements.identityTaken.get(identity.signInType, identity.issuer, identity.issuerAssignedId.toLowerCase())) {
            throw new EmulatorError(
              EmulatorErrorCode.DIRECTORY_CONFLICT,
              `Another object with the same value for property identities already exists (${identity.signInType} ${identity.issuerAssignedId}).`,
            );
          }
        }
        statements.insertUser.run(id, user.displayName, user.givenName ?? null, user.surname ?? null, user.mail ?? null, `${id}@${options.domain}`, user.accountEnabled === false ? 0 : 1, created, salt, key, created);
        for (const identity of user.identities) {
          statements.insertIdentity.run(id, identity.signInType, identity.issuer, identity.issuerAssignedId, identity.issuerAssignedId.toLowerCase());
        }
        for (const [name, value] of Object.entries(user.extensionAttributes ?? {})) statements.setExtension.run(id, name, JSON.stringify(value));
      })();
      userCount++;
      return toUser(requireUser(id));
    },
    getUser(id) {
      const row = statements.userById.get(id);
      return row && toUser(row);
    },
    findUserBySignInName(signInName) {
      const match = statements.userBySignInName.get(signInName.toLowerCase());
      const row = match && statements.userById.get(match.user_id);
      return row && toUser(row);
    },
    findUserByIdentity(issuer, issuerAssignedId) {
      const match = statements.byIdentity.get(issuer, issuerAssignedId.toLowerCase());
      const row = match && statements.userById.get(match.user_id);
      return row && toUser(row);
    },
    findUsersByMail(mail) {
      return statements.byMail.all(mail.toLowerCase()).map(toUser);
    },
    listUsers(listOptions = {}) {
      const limit = listOptions.limit ?? 100;
      const rows = listOptions.after ? statements.listAfter.all(listOptions.after.createdDateTime, listOptions.after.id, limit) : statements.list.all(limit);
      return rows.map(toUser);
    },
    countUsers: () => userCount,
    updateUser(id, edit) {
      db.transaction(() => {
        const user = toUser(requireUser(id));
        if (edit.identities) {
          if (edit.identities.length === 0) throw new EmulatorError(EmulatorErrorCode.DIRECTORY_INVALID, 'A user needs at least one identity.');
          for (const identity of edit.identities) {
            const holder = statements.identityTaken.get(identity.signInType, identity.issuer, identity.issuerAssignedId.toLowerCase());
            if (holder && holder.user_id !== id) {
              throw new EmulatorError(EmulatorErrorCode.DIRECTORY_CONFLICT, `Another object with the same value for property identities already exists (${identity.signInType} ${identity.issuerAssignedId}).`);
            }
          }
          statements.deleteIdentities.run(id);
          for (const identity of edit.identities) {
            statements.insertIdentity.run(id, identity.signInType, identity.issuer, identity.issuerAssignedId, identity.issuerAssignedId.toLowerCase());
          }
        }
        const next = { ...user, ...edit };
        statements.updateProfile.run(next.displayName, next.givenName, next.surname, next.mail, next.accountEnabled ? 1 : 0, id);
      })();
      return toUser(requireUser(id));
    },
    async setPassword(id, password) {
      requireUser(id);
      const salt = newSalt();
      statements.setPassword.run(salt, await keyFor(password, salt), isoSeconds(now()), id);
    },
    async checkPassword(id, password) {
      const stored = statements.password.get(id);
      if (!stored) return false;
      const key = await keyFor(password, stored.password_salt);
      return timingSafeEqual(key, stored.password_key);
    },
    setExtensionAttribute(id, name, value) {
      requireUser(id);
      if (!EXTENSION_NAME.test(name)) throw new EmulatorError(EmulatorErrorCode.DIRECTORY_INVALID, `${name} is not an extension attribute name.`);
      statements.setExtension.run(id, name, JSON.stringify(value));
    },
    addAuthenticationMethod(userId, method) {
      requireUser(userId);
      const id = method.kind === 'email' ? AUTHENTICATION_METHOD_IDS.email : AUTHENTICATION_METHOD_IDS[method.phoneType];
      const value = method.kind === 'email' ? method.emailAddress : method.phoneNumber;
      const added = statements.insertMethod.run(userId, id, method.kind, value, method.kind === 'phone' ? method.phoneType : null);
      if (added.changes === 0) {
        throw new EmulatorError(EmulatorErrorCode.DIRECTORY_CONFLICT, `The user already has ${method.kind === 'email' ? 'an e-mail method' : `a ${method.phoneType} phone method`}.`);
      }
      return method.kind === 'email' ? { kind: 'email', id, emailAddress: value } : { kind: 'phone', id, phoneNumber: value, phoneType: method.phoneType };
    },
    listAuthenticationMethods(userId) {
      return statements.methodsOf.all(userId).map((row): AuthenticationMethod =>
        row.kind === 'email' ? { kind: 'email', id: row.id, emailAddress: row.value } : { kind: 'phone', id: row.id, phoneNumber: row.value, phoneType: row.phone_type as PhoneType },
      );
    },
    getExtensionAttributes(id) {
      return Object.fromEntries(statements.extensionsOf.all(id).map((row) => [row.name, JSON.parse(row.value) as unknown]));
    },
    close: () => db.close(),
  };
}
