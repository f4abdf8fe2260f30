import { readBoundedLines } from '../../common/bounded-lines.js';
import type { ImportFormat } from './format.js';
import type { SourceItem } from './imported-user.js';
import { checkReadable, refuseOption } from './source-file.js';
import { userOf } from './user-checks.js';

/** Longest line read: an Auth0 user record is a few hundred bytes; app_metadata rarely takes more than a few KB. */
const MAX_LINE_BYTES = 1024 * 1024;

type Json = Record<string, unknown>;

/**
 * Auth0's password hash export (requested from Auth0 support): NDJSON, one user per line, with `passwordHash` (bcrypt
 * `$2b$10$…`, or the hash of a custom import), `_id.$oid`, an optional `alt_id`, `email` — or, on some users, only
 * `identifiers[]` ({type: email|username, value, verified}). The id is `user_id` when the record has one, else
 * `auth0|<alt_id or _id>` as Auth0 builds it. See
 * https://support.auth0.com/center/s/article/How-to-Use-the-Password-Hashes-Export-from-Auth0.
 */
export const auth0Format: ImportFormat = {
  id: 'auth0',
  async prepare(options) {
    if (options.hashConfig !== undefined) throw refuseOption('--hash-config', 'auth0', '--format firebase and csv (Auth0 hashes describe themselves)');
    if (Object.keys(options.fields).length > 0) throw refuseOption('--field', 'auth0', '--format csv');
    await checkReadable('--from', options.from);
    return { hashDefaults: undefined, records: () => auth0Records(options.from) };
  },
};

async function* auth0Records(path: string): AsyncGenerator<SourceItem> {
  for await (const read of readBoundedLines(path, MAX_LINE_BYTES)) {
    const at = { line: read.line };
    if ('problem' in read) {
      yield { at, problem: read.problem };
      continue;
    }
    if (read.text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(read.text);
    } catch {
      yield { at, problem: 'not valid JSON' };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { at, problem: 'not a JSON object' };
      continue;
    }
    const user = auth0User(value as Json);
    yield 'reason' in user ? { at, problem: user.reason } : { at, user };
  }
}

/** One record of the export as an account. */
export function auth0User(record: Json): ReturnType<typeof userOf> {
  const identifier = (type: string) => {
    const list = Array.isArray(record.identifiers) ? (record.identifiers as unknown[]) : [];
    return list.find((entry): entry is Json => typeof entry === 'object' && entry !== null && (entry as Json).type === type);
  };
  const emailIdentifier = identifier('email');
  const email = record.email ?? emailIdentifier?.value ?? null;
  const verified = typeof record.email_verified === 'boolean' ? record.email_verified : emailIdentifier?.verified;
  return userOf({
    id: idOf(record),
    email,
    username: record.username ?? identifier('username')?.value ?? null,
    passwordHash: record.passwordHash,
    status: record.blocked === true ? 'blocked' : 'active',
    profile: { display_name: record.name, given_name: record.given_name, surname: record.family_name, email_verified: verified },
  });
}

/** `user_id`, else `auth0|` + `alt_id` or `_id.$oid` (how Auth0 names a database connection's users). */
function idOf(record: Json): unknown {
  if (record.user_id !== undefined && record.user_id !== null) return record.user_id;
  const oid = typeof record._id === 'object' && record._id !== null ? (record._id as Json).$oid : undefined;
  const local = record.alt_id ?? oid;
  if (typeof local === 'string' || typeof local === 'number') return `auth0|${String(local)}`;
  return local;
}
