import type { ImportedProfile, ImportedStatus, ImportedUser } from './imported-user.js';

/** Longest id kept: premigrate refuses longer ones (they become a directory extension attribute). */
const ID_MAX = 200;
/** RFC 5321's path limit less the brackets. */
const EMAIL_MAX = 254;
/** A sign-in name as long as Entra accepts one. */
const USERNAME_MAX = 256;
/** No real hash comes near this; a longer value is not a hash. */
const HASH_MAX = 4096;
/** Profile values longer than this are left out of profile_json. */
const PROFILE_VALUE_MAX = 256;

const CONTROL = /[\u0000-\u001f\u007f]/;
/** An address, loosely: text, one @, text, no blanks. premigrate checks the strict form before sending it. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** A record's fields before they are checked: strings as read, or anything else (which is refused). */
export interface UserFields {
  id: unknown;
  email: unknown;
  username: unknown;
  passwordHash: unknown;
  scheme?: unknown;
  salt?: unknown;
  status: ImportedStatus;
  profile?: Readonly<Record<string, unknown>>;
}

/**
 * The account of one record, or why it cannot be imported, as a fixed phrase naming the field and never its value:
 * an id (1–200 characters), a sign-in name (an e-mail address or a username), a password hash; none may hold a
 * control character (a NUL truncates values in some systems). Text is trimmed, except the hash. Profile values that
 * are not short text are left out.
 *
 * @example
 *   userOf({ id: 'u1', email: 'ada@example.com', username: null, passwordHash: '$2b$10$…', status: 'active' })
 *   // { id: 'u1', email: 'ada@example.com', username: null, passwordHash: '$2b$10$…', scheme: null, salt: null, status: 'active', profile: {} }
 */
export function userOf(fields: UserFields): ImportedUser | { reason: string } {
  const id = text(fields.id, 'id', ID_MAX);
  if (typeof id !== 'string') return id ?? { reason: 'no id' };
  const email = text(fields.email, 'e-mail', EMAIL_MAX);
  if (email !== null && typeof email !== 'string') return email;
  if (email !== null && !EMAIL.test(email)) return { reason: 'e-mail is not an e-mail address' };
  const username = text(fields.username, 'username', USERNAME_MAX);
  if (username !== null && typeof username !== 'string') return username;
  if (email === null && username === null) return { reason: 'no e-mail or username to sign in with' };
  if (fields.passwordHash === undefined || fields.passwordHash === null || fields.passwordHash === '') return { reason: 'no password hash' };
  if (typeof fields.passwordHash !== 'string') return { reason: 'password hash is not text' };
  if (fields.passwordHash.length > HASH_MAX) return { reason: `password hash longer than ${HASH_MAX} characters` };
  if (CONTROL.test(fields.passwordHash) || fields.passwordHash.trim() === '') return { reason: 'password hash holds a control character or only blanks' };
  const scheme = text(fields.scheme, 'scheme', 64);
  if (scheme !== null && typeof scheme !== 'string') return scheme;
  const salt = text(fields.salt, 'salt', HASH_MAX);
  if (salt !== null && typeof salt !== 'string') return salt;
  return { id, email, username, passwordHash: fields.passwordHash, scheme, salt, status: fields.status, profile: profileOf(fields.profile ?? {}) };
}

/** A trimmed text field: the text, null when absent or blank, or why it is refused. */
function text(value: unknown, name: string, max: number): string | null | { reason: string } {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) value = String(value);
  if (typeof value !== 'string') return { reason: `${name} is not text` };
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (CONTROL.test(trimmed)) return { reason: `${name} holds a control character` };
  if (trimmed.length > max) return { reason: `${name} longer than ${max} characters` };
  return trimmed;
}

const PROFILE_TEXT = ['display_name', 'given_name', 'surname', 'phone'] as const;

function profileOf(fields: Readonly<Record<string, unknown>>): ImportedProfile {
  const profile: ImportedProfile = {};
  for (const name of PROFILE_TEXT) {
    const value = fields[name];
    if (typeof value !== 'string') continue;
    const trimmed = value.trim();
    if (trimmed !== '' && trimmed.length <= PROFILE_VALUE_MAX && !CONTROL.test(trimmed)) profile[name] = trimmed;
  }
  if (typeof fields.email_verified === 'boolean') profile.email_verified = fields.email_verified;
  return profile;
}
