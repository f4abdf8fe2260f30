import { isAbsolute, resolve } from 'node:path';
import { LedgerError, LedgerErrorCode } from './errors.js';

/** Where the ledger lives, parsed from `LEDGER_DATABASE_URL`. */
export type LedgerLocation =
  | { kind: 'memory' }
  | { kind: 'sqlite'; path: string }
  | { kind: 'postgres'; url: string; schema: string | undefined; shown: string };

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** A URL as it may be shown: any password replaced by `***`. */
export function redactLedgerUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

/**
 * Parses a ledger URL: `sqlite://relative/path.db`, `sqlite:///absolute/path.db`, `memory:` (or
 * `sqlite::memory:`) for a ledger that keeps nothing, `postgres://…`/`postgresql://…` with an optional
 * `?schema=name` (the ledger's tables go there; created if missing).
 *
 * @example
 *   parseLedgerUrl('sqlite://./data/ledger.db') // { kind: 'sqlite', path: '/…/data/ledger.db' }
 */
export function parseLedgerUrl(url: string): LedgerLocation {
  const invalid = (why: string) =>
    new LedgerError(LedgerErrorCode.URL_INVALID, `LEDGER_DATABASE_URL ${redactLedgerUrl(url)} ${why}.`);
  if (url === 'memory:' || url === 'sqlite::memory:') return { kind: 'memory' };
  if (url.startsWith('sqlite://')) {
    const rest = decodeURIComponent(url.slice('sqlite://'.length));
    if (rest === '' || rest.includes('\0')) throw invalid('names no database file');
    return { kind: 'sqlite', path: isAbsolute(rest) ? rest : resolve(rest) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalid('cannot be parsed');
    }
    const schema = parsed.searchParams.get('schema') ?? undefined;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw invalid('has a schema parameter that is not a plain lower-case SQL name');
    parsed.searchParams.delete('schema');
    return { kind: 'postgres', url: parsed.href, schema, shown: redactLedgerUrl(url) };
  }
  throw invalid('must start with sqlite://, postgres:// or postgresql:// (or be memory:)');
}
