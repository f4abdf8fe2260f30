import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { LegacyImportError, LegacyImportErrorCode } from './errors.js';
import type { ImportFormat } from './format.js';
import type { SourceItem } from './imported-user.js';
import { readJsonRecords } from './json-records.js';
import { keycloakCredentialHash } from './keycloak-credential.js';
import { checkReadable, refuseOption } from './source-file.js';
import { userOf } from './user-checks.js';

/** Limits on one user: its credentials, attributes, roles and consents fit in far less. */
const MAX_RECORD = 1024 * 1024;
/** Realm exports nest deeper than user records (client scopes, authentication flows). */
const MAX_DEPTH = 64;
/** `kc.sh export --users different_files` writes `<realm>-users-<n>.json`. */
const USERS_FILE = /-users-(\d+)\.json$/;

type Json = Record<string, unknown>;

/**
 * A Keycloak realm export (`kc.sh export --realm demo --file demo-realm.json`, users in the same file), or a
 * directory of `<realm>-users-<n>.json` files (`--users different_files`). Each user's password credential becomes a
 * self-describing hash (see keycloak-credential.ts); `enabled: false` becomes status `disabled`; users without one
 * (federated from LDAP, OTP only, service accounts) are reported. The rest of the realm is read past.
 */
export const keycloakFormat: ImportFormat = {
  id: 'keycloak',
  async prepare(options) {
    if (options.hashConfig !== undefined) throw refuseOption('--hash-config', 'keycloak', '--format firebase and csv (each Keycloak credential carries its parameters)');
    if (Object.keys(options.fields).length > 0) throw refuseOption('--field', 'keycloak', '--format csv');
    const isDirectory = await checkReadable('--from', options.from, true);
    const files = isDirectory ? await usersFiles(options.from) : [options.from];
    return { hashDefaults: undefined, records: () => keycloakRecords(files, isDirectory) };
  },
};

/** The `<realm>-users-<n>.json` files of a directory, in the order Keycloak numbered them. */
async function usersFiles(directory: string): Promise<string[]> {
  const names = (await readdir(directory)).filter((name) => USERS_FILE.test(name));
  if (names.length === 0) {
    throw new LegacyImportError(
      LegacyImportErrorCode.SOURCE_UNREADABLE,
      `--from ${directory}: the directory holds no <realm>-users-<n>.json files (kc.sh export --users different_files); name the realm file instead if the users are in it.`,
    );
  }
  const order = (name: string) => Number(USERS_FILE.exec(name)![1]);
  return names.sort((a, b) => order(a) - order(b) || a.localeCompare(b)).map((name) => join(directory, name));
}

async function* keycloakRecords(files: readonly string[], severalFiles: boolean): AsyncGenerator<SourceItem> {
  for (const file of files) {
    const shown = basename(file);
    const records = readJsonRecords(file, { arrayKey: 'users', shown, expected: 'a Keycloak realm export', maxValueBytes: MAX_RECORD, maxRecordChars: MAX_RECORD, maxDepth: MAX_DEPTH });
    for await (const record of records) {
      const at = severalFiles ? { line: record.line, file: shown } : { line: record.line };
      if ('problem' in record) {
        yield { at, problem: record.problem };
        continue;
      }
      const user = keycloakUser(record.value);
      yield 'reason' in user ? { at, problem: user.reason } : { at, user };
    }
  }
}

/** One UserRepresentation as an account. */
export function keycloakUser(user: Json): ReturnType<typeof userOf> | { reason: string } {
  const password = passwordCredential(user.credentials);
  if (password === undefined) return { reason: 'no password credential (a federated, OTP-only or service account user)' };
  const hash = keycloakCredentialHash(password);
  if ('problem' in hash) return { reason: hash.problem };
  return userOf({
    id: user.id,
    email: user.email,
    username: user.username,
    passwordHash: hash.hash,
    status: user.enabled === false ? 'disabled' : 'active',
    profile: { given_name: user.firstName, surname: user.lastName, email_verified: user.emailVerified },
  });
}

/** The user's password credential; with several (a realm mid-upgrade), the newest. */
function passwordCredential(credentials: unknown): Json | undefined {
  if (!Array.isArray(credentials)) return undefined;
  const passwords = credentials.filter((entry): entry is Json => typeof entry === 'object' && entry !== null && (entry as Json).type === 'password');
  const created = (entry: Json) => (typeof entry.createdDate === 'number' ? entry.createdDate : 0);
  return passwords.reduce<Json | undefined>((newest, entry) => (newest === undefined || created(entry) > created(newest) ? entry : newest), undefined);
}
