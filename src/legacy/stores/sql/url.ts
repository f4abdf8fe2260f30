import { LegacyStoreError, LegacyStoreErrorCode } from '../../errors.js';

/** Query parameters whose values are secrets (`password`, `sslpassword`, `client_secret`, `token`…). */
const SECRET_PARAMETER = /pass|secret|token|key|cred/i;
const REDACTED = '***';

/**
 * A store URL safe for messages and logs: the password and secret-looking query values become `***`; a URL that
 * does not parse is not echoed at all (it may hold a password we cannot find).
 *
 * @example
 *   redactUrl('postgres://app:s3cret@db.internal/legacy?sslpassword=x') // 'postgres://app:***@db.internal/legacy?sslpassword=***'
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(an unparsable URL)';
  }
  if (parsed.password !== '') parsed.password = REDACTED;
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAMETER.test(name)) parsed.searchParams.set(name, REDACTED);
  }
  return parsed.toString().replaceAll('%2A%2A%2A', REDACTED);
}

/**
 * Replaces the URL's password, wherever it appears in `text`, with `***`: for driver messages we pass on as
 * internal detail, in case a driver ever echoes its configuration.
 */
export function withoutUrlPassword(text: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    return text;
  }
  return password === '' ? text : text.replaceAll(password, REDACTED);
}

/**
 * The file a `sqlite:` URL names: `sqlite:///absolute/path.db` → `/absolute/path.db`,
 * `sqlite://relative/path.db` and `sqlite://./relative/path.db` → a path relative to the working directory.
 * Percent-escapes are decoded. `sqlite::memory:` → `:memory:` (the caller decides whether it makes sense).
 * Query options (`?mode=ro`) are refused rather than silently ignored.
 *
 * @example
 *   sqlitePathOf('sqlite://./data/legacy.db') // './data/legacy.db'
 */
export function sqlitePathOf(url: string): string {
  if (url === 'sqlite::memory:') return ':memory:';
  const shown = redactUrl(url);
  if (!url.startsWith('sqlite://')) {
    throw urlInvalid(`The SQLite URL ${shown} must look like sqlite:///absolute/file.db or sqlite://relative/file.db.`);
  }
  const rest = url.slice('sqlite://'.length);
  if (rest === '' || rest === '/') throw urlInvalid(`The SQLite URL ${shown} names no file.`);
  if (/[?#]/.test(rest)) throw urlInvalid(`The SQLite URL ${shown} has options (after ? or #), which are not supported.`);
  let path: string;
  try {
    path = decodeURIComponent(rest);
  } catch {
    throw urlInvalid(`The SQLite URL ${shown} has a malformed percent-escape.`);
  }
  if (path.includes('\0')) throw urlInvalid(`The SQLite URL ${shown} contains a NUL character.`);
  return path;
}

/** The scheme of `url` without its colon, lower-cased (`postgres`), or null when there is none. */
export function schemeOf(url: string): string | null {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  return match === null ? null : match[1]!.toLowerCase();
}

function urlInvalid(publicMessage: string): LegacyStoreError {
  return new LegacyStoreError(LegacyStoreErrorCode.URL_INVALID, publicMessage);
}
