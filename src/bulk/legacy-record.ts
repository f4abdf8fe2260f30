/** One legacy account as phase 1 reads it, after field mapping. */
export interface LegacyRecord {
  id: string;
  email: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  /** A known plaintext password (the "you know the password" case): set in Entra, and the user is not flagged. */
  password: string | null;
  /** A phone number in international format (`+1 2065550100`), for the optional phone authentication method. */
  phone: string | null;
  /**
   * False when the legacy source says the account is blocked (field `enabled`: false, 0, no, f): premigrate creates
   * it disabled and `--sync` disables it. `recordOf` always sets it; absent (a record built by hand) means enabled.
   */
  enabled?: boolean;
  /** Other fields, written to directory extension attributes by the attribute map. */
  extra: Record<string, string>;
}

/** Source field names for each record field; defaults are the names the issue lists. */
export interface FieldMap {
  id: string;
  email: string;
  displayName: string;
  givenName: string;
  surname: string;
  password: string;
  phone: string;
  /** Whether the account may sign in; a missing or empty value is enabled. */
  enabled: string;
}

export const DEFAULT_FIELD_MAP: FieldMap = {
  id: 'id',
  email: 'email',
  displayName: 'display_name',
  givenName: 'given_name',
  surname: 'surname',
  password: 'password',
  phone: 'phone',
  enabled: 'enabled',
};

/**
 * How a source says an account is enabled or blocked: booleans (PostgreSQL), 1/0 (MySQL, SQLite), and the words a
 * CSV or JSON export uses (`t`/`f` is PostgreSQL's text form of a boolean). Anything else is refused, never guessed:
 * a wrong guess would disable accounts.
 */
const ENABLED_WORDS: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false, yes: true, no: false, t: true, f: false };

/** A source row that cannot become a record, with its position (never its content: it may hold a password). */
export interface RejectedRow {
  line: number;
  reason: string;
}

/** Graph's phone method format: `+`, country code, a space, the number (spaces allowed, as Graph accepts them). */
const PHONE = /^\+[1-9]\d{0,3} \d[\d ]{4,20}$/;
const EMAIL = /^[^\s@"(),:;<>[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Maps one source row to a record, or says why it cannot (missing id, invalid e-mail …). */
export function recordOf(row: Readonly<Record<string, unknown>>, map: FieldMap): LegacyRecord | { reason: string } {
  const text = (name: string) => {
    const value = row[name];
    if (value === undefined || value === null) return null;
    const string = typeof value === 'string' ? value.trim() : typeof value === 'number' || typeof value === 'bigint' ? String(value) : null;
    return string === '' ? null : string;
  };
  const id = text(map.id);
  const email = text(map.email)?.toLowerCase() ?? null;
  if (!id) return { reason: `no ${map.id}` };
  if (id.length > 200) return { reason: `${map.id} longer than 200 characters` };
  if (!email) return { reason: `no ${map.email}` };
  if (email.length > 254 || !EMAIL.test(email)) return { reason: `${map.email} is not a valid e-mail address` };
  const phone = text(map.phone);
  if (phone !== null && !PHONE.test(phone)) return { reason: `${map.phone} is not an international number such as +1 2065550100` };
  const known = new Set(Object.values(map));
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(row)) {
    if (!known.has(key) && (typeof value === 'string' || typeof value === 'number') && String(value) !== '') extra[key] = String(value);
  }
  const enabled = enabledOf(row[map.enabled]);
  if (enabled === null) return { reason: `${map.enabled} is not true or false (1/0, yes/no)` };
  const givenName = text(map.givenName);
  const surname = text(map.surname);
  return {
    id,
    email,
    displayName: text(map.displayName) ?? ([givenName, surname].filter(Boolean).join(' ') || email),
    givenName,
    surname,
    password: typeof row[map.password] === 'string' && row[map.password] !== '' ? (row[map.password] as string) : null,
    phone,
    enabled,
    extra,
  };
}

/** The field's value as enabled (true), blocked (false), or null when it is neither; missing or empty is enabled. */
function enabledOf(value: unknown): boolean | null {
  if (value === undefined || value === null) return true;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value === 1 || value === 1n ? true : value === 0 || value === 0n ? false : null;
  if (typeof value !== 'string') return null;
  const word = value.trim().toLowerCase();
  return word === '' ? true : (ENABLED_WORDS[word] ?? null);
}
